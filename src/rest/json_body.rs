use crate::domain::{Error, Result};
use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

/// The request's Content-Type, or empty.
pub fn content_type(request: &HttpRequest) -> String {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Parses a JSON body after checking its media type (`application/json` or `…+json`).
pub fn parse_json<T: DeserializeOwned>(content_type: &str, body: &[u8]) -> Result<T> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(Error::unsupported_content_type(content_type));
    }
    serde_json::from_slice(body).map_err(|e| Error::MalformedRequest(e.to_string()))
}
