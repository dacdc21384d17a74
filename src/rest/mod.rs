//! The REST adapter: `/v2/...` JSON in camelCase, and its OpenAPI document. Wire format only;
//! every rule is in the core.

mod dto;
mod error;
mod field;
#[cfg(test)]
mod fuzz;
mod handlers;
mod health;
mod json_body;
pub mod openapi;
mod routes;

pub use error::{error_response, not_found};
pub use json_body::JsonLimits;
pub use routes::{allowed_methods, method_fallbacks, routes};
