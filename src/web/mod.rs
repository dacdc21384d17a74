//! The Access page: the third adapter, server-rendered HTML for account owners and users with
//! "Can manage account". Wire format only, like REST and SOAP: every rule (validation,
//! permission, lockout) is the core's, and every error shown is the catalogue's.

mod api_users;
mod assets;
mod audit;
mod calls;
mod cookies;
mod fields;
mod handling;
mod page_form;
mod respond;
mod sign_in;
mod users;
mod views;

pub use respond::refusal;

use actix_web::web::{self, get, post};

/// Where the API users tab lives; `/` leads there.
const ACCESS_PAGE: &str = "/settings/access/api-users";
/// Where the Users tab lives.
const USERS_TAB: &str = "/settings/access/users";
/// Where the Audit tab lives.
const AUDIT_TAB: &str = "/settings/access/audit";

/// Whether `path` is one of the page's (those `routes` registers), for answers given before
/// routing.
pub fn serves(path: &str) -> bool {
    matches!(path, "/" | "/sign-in" | "/sign-out" | "/settings/access")
        || path.starts_with("/settings/access/")
        || path.starts_with("/assets/")
}

/// Registers the page's routes (all outside `/v2/`, and not in the OpenAPI document).
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", get().to(respond::to_access_page))
        .route("/assets/access.css", get().to(assets::stylesheet))
        .route("/assets/favicon.svg", get().to(assets::icon))
        .service(
            web::resource("/sign-in")
                .route(get().to(sign_in::form))
                .route(post().to(sign_in::submit)),
        )
        .route("/sign-out", post().to(sign_in::sign_out))
        .service(
            web::scope("/settings/access")
                .route("", get().to(respond::to_access_page))
                .route("/api-users", get().to(api_users::list))
                .service(
                    web::resource("/api-users/new")
                        .route(get().to(api_users::new_form))
                        .route(post().to(api_users::create)),
                )
                .service(
                    web::resource("/api-users/{id}")
                        .route(get().to(api_users::edit_form))
                        .route(post().to(api_users::save)),
                )
                .route(
                    "/api-users/{id}/password",
                    post().to(api_users::set_password),
                )
                .route("/api-users/{id}/unlock", post().to(api_users::unlock))
                .service(
                    web::resource("/api-users/{id}/delete")
                        .route(get().to(api_users::confirm_delete_form))
                        .route(post().to(api_users::delete)),
                )
                .route("/users", get().to(users::list))
                .service(
                    web::resource("/users/new")
                        .route(get().to(users::new_form))
                        .route(post().to(users::add)),
                )
                .service(
                    web::resource("/users/{id}")
                        .route(get().to(users::user_page))
                        .route(post().to(users::set_permission)),
                )
                .route("/users/{id}/password", post().to(users::set_password))
                .route("/users/{id}/unlock", post().to(users::unlock))
                .service(
                    web::resource("/users/{id}/remove")
                        .route(get().to(users::confirm_remove_form))
                        .route(post().to(users::remove)),
                )
                .route("/audit", get().to(audit::trail))
                .default_service(web::to(respond::page_not_found)),
        );
}
