//! What the adapters share about HTTP: bounded body reading, running a use case as the
//! authenticated caller, and the per-request log line.

mod body;
mod call;
mod head;
mod media_type;
mod rate_limit_headers;
mod request_log;

pub use body::{BodyLimits, guard_body, read_body};
pub use call::{basic_credentials, call_as, origin, path_id};
pub use head::head_as_get;
pub use media_type::MediaType;
pub use rate_limit_headers::{error_headers, rate_limit_headers};
pub use request_log::{Protocol, label_request, log_requests, set_principal};

/// The challenge on every 401: several clients send credentials only after seeing it.
pub const BASIC_CHALLENGE: &str = "Basic realm=\"dualgate\"";
