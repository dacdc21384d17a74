//! The REST adapter: `/v2/...` JSON in camelCase. Wire format only; every rule is in the core.

mod dto;
mod error;
mod handlers;
mod json_body;
mod routes;

pub use error::not_found;
pub use routes::routes;
