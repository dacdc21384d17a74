//! What the adapters share about HTTP: bounded body reading, the one call path (a use case
//! run as the authenticated caller), the client's address, the status of a catalogue error,
//! and the per-request log line.

mod body;
mod call;
mod client_address;
mod head;
mod media_type;
mod rate_limit_headers;
mod request_log;
mod status;

pub use body::{BodyLimits, guard_body, read_body};
pub use call::{basic_credentials, blocking, call_as, note_call, origin, path_id, point_read};
pub use head::head_as_get;
pub use media_type::MediaType;
pub use rate_limit_headers::{error_headers, rate_limit_headers};
pub use request_log::{answering, label_document, label_request, label_soap_version, log_requests};
pub use status::status_of;

/// The challenge on every 401: several clients send credentials only after seeing it.
pub const BASIC_CHALLENGE: &str = "Basic realm=\"dualgate\"";
