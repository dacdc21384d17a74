//! The metrics listener's application: `GET /metrics` and nothing else.

use super::Metrics;
use crate::service::Gateway;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{self, Data};
use actix_web::{App, Error, HttpResponse};

/// The exposition format's media type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn metrics_app(
    metrics: Data<Metrics>,
    gateway: Data<Gateway>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(metrics)
        .app_data(gateway)
        .route("/metrics", web::get().to(exposition))
        .default_service(web::to(HttpResponse::NotFound))
}

async fn exposition(metrics: Data<Metrics>, gateway: Data<Gateway>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, TEXT_FORMAT))
        .body(metrics.render(&gateway))
}
