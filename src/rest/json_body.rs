use crate::domain::{Error, Result};
use crate::http::MediaType;
use serde::de::DeserializeOwned;

/// Parses a JSON body after checking its media type (`application/json` or `…+json`).
pub fn parse_json<T: DeserializeOwned>(media_type: &MediaType, body: &[u8]) -> Result<T> {
    let essence = &media_type.essence;
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(Error::unsupported_content_type(&media_type.raw));
    }
    serde_json::from_slice(body).map_err(|e| Error::MalformedRequest(e.to_string()))
}
