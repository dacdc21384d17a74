use crate::domain::Error;
use crate::http::{Protocol, label_request};
use crate::service::Gateway;
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};

/// 200 once the database answers; no authentication.
pub async fn health(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    label_request(&request, Protocol::Health, "health");
    let reachable = web::block(move || gateway.store.first_account())
        .await
        .map_err(Error::unknown)
        .flatten();
    match reachable {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ok"})),
        Err(error) => {
            tracing::error!(cause = ?error, "health check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"}))
        }
    }
}
