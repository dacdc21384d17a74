use crate::domain::{Error, Result};
use actix_web::HttpRequest;
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt;

/// The largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Reads the body as it streams in and stops at the app's `BodyLimit`, so an oversized or
/// endless body is refused without being buffered whole.
pub async fn read_body(request: &HttpRequest, mut payload: Payload) -> Result<Bytes> {
    let limit = request
        .app_data::<BodyLimit>()
        .copied()
        .ok_or_else(|| Error::unknown("no BodyLimit configured"))?;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::MalformedRequest(format!("unreadable body ({e})")))?;
        if body.len() + chunk.len() > limit.0 {
            return Err(Error::RequestTooLarge(limit.0));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
