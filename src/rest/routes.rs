use super::error::method_not_allowed;
use super::handlers;
use actix_web::{HttpRequest, Route, web};

/// A 405 answer naming the methods `allow`.
fn only(allow: &'static str) -> Route {
    web::route().to(move |request: HttpRequest| async move { method_not_allowed(&request, allow) })
}

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v2/account-info")
                .route(web::get().to(handlers::get_account_info))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/v2/server-time")
                .route(web::get().to(handlers::get_server_time))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/v2/api-users")
                .route(web::get().to(handlers::list))
                .route(web::post().to(handlers::create))
                .default_service(only("GET, POST")),
        )
        .service(
            web::resource("/v2/api-users/{id}")
                .route(web::get().to(handlers::get))
                .route(web::put().to(handlers::update))
                .route(web::delete().to(handlers::delete))
                .default_service(only("GET, PUT, DELETE")),
        )
        .service(
            web::resource("/v2/api-users/{id}/password")
                .route(web::put().to(handlers::set_password))
                .default_service(only("PUT")),
        )
        .service(
            web::resource("/v2/api-users/{id}/unlock")
                .route(web::post().to(handlers::unlock))
                .default_service(only("POST")),
        );
}
