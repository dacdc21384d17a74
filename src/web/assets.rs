//! The page's only assets, shipped inside the binary: nothing is fetched from elsewhere.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};

const STYLESHEET: &str = include_str!("assets/access.css");
const ICON: &str = include_str!("assets/favicon.svg");

pub async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLESHEET)
}

pub async fn icon() -> HttpResponse {
    asset("image/svg+xml", ICON)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}
