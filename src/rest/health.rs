use crate::http::{label_document, point_read};
use crate::service::Gateway;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Health)]
pub struct HealthJson {
    /// `ok`, or `unavailable` when the database does not answer.
    #[schema(value_type = String)]
    status: &'static str,
}

/// Whether the gateway can reach its database; no authentication.
#[utoipa::path(
    tag = "health",
    operation_id = "health",
    responses(
        (status = 200, description = "The database answers", body = HealthJson),
        (status = 503, description = "The database does not answer", body = HealthJson),
    ),
)]
#[get("/health")]
pub async fn health(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    label_document(&request, "health", "health");
    let reachable = point_read(gateway, |gateway| gateway.store.ping()).await;
    match reachable {
        Ok(_) => HttpResponse::Ok().json(HealthJson { status: "ok" }),
        Err(error) => {
            tracing::error!(cause = ?error, "health check failed");
            HttpResponse::ServiceUnavailable().json(HealthJson {
                status: "unavailable",
            })
        }
    }
}
