use super::dto::ErrorJson;
use crate::domain::Error;
use crate::http::{answering, error_headers, status_of};
use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse};

/// The REST rendering of the catalogue: status, `{"message"}` and the headers the error needs.
pub fn error_response(error: &Error) -> HttpResponse {
    let mut response = HttpResponse::build(status_of(error));
    for header in error_headers(error) {
        response.insert_header(header);
    }
    let response = response.json(ErrorJson {
        message: error.to_string(),
    });
    answering(response, error)
}

/// 405 with the methods the resource does allow.
pub fn method_not_allowed(request: &HttpRequest, allow: &str) -> HttpResponse {
    let error = Error::MalformedRequest(format!("method {} is not allowed here", request.method()));
    let response = HttpResponse::MethodNotAllowed()
        .insert_header((ALLOW, allow))
        .json(ErrorJson {
            message: error.to_string(),
        });
    answering(response, &error)
}

/// 404 for a path that names no resource.
pub async fn not_found(request: HttpRequest) -> HttpResponse {
    let error = Error::MalformedRequest(format!("no resource at {}", request.path()));
    let response = HttpResponse::NotFound().json(ErrorJson {
        message: error.to_string(),
    });
    answering(response, &error)
}
