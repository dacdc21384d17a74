use super::error::method_not_allowed;
use super::{handlers, health};
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the REST handlers; the OpenAPI document is collected from this same registration.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(health::health)
        .service(handlers::get_account_info)
        .service(handlers::get_server_time)
        .service(handlers::list)
        .service(handlers::create)
        .service(handlers::get)
        .service(handlers::update)
        .service(handlers::delete)
        .service(handlers::set_password)
        .service(handlers::unlock)
        .service(handlers::audit_events);
}

/// Each documented path with the methods documented there, and `HEAD` wherever `GET` is, as
/// an `Allow` header value.
pub fn allowed_methods(document: &OpenApi) -> Vec<(String, String)> {
    document
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let methods = [
                ("GET", &item.get),
                ("HEAD", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
            ]
            .into_iter()
            .filter(|(_, operation)| operation.is_some())
            .map(|(method, _)| method)
            .collect::<Vec<_>>();
            (path.clone(), methods.join(", "))
        })
        .collect()
}

/// After `routes`: any other method on a documented path gets 405 naming the allowed ones.
pub fn method_fallbacks(config: &mut web::ServiceConfig, allowed: &[(String, String)]) {
    for (path, allow) in allowed {
        let allow = allow.clone();
        config.service(web::resource(path.as_str()).default_service(web::to(
            move |request: HttpRequest| {
                let allow = allow.clone();
                async move { method_not_allowed(&request, &allow) }
            },
        )));
    }
}
