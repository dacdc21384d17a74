use crate::domain::{Error, Result};
use actix_web::http::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;

/// Parses a JSON body after checking its media type (`application/json` or `…+json`).
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        let shown = if content_type.is_empty() {
            "(none)"
        } else {
            content_type
        };
        return Err(Error::ContentTypeNotSupported(shown.to_owned()));
    }
    serde_json::from_slice(body).map_err(|e| Error::MalformedRequest(e.to_string()))
}
