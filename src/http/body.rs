use crate::domain::{Error, Result};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// How much of a request body is accepted, and how long it may take to arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub max_bytes: usize,
    /// From the end of the headers to the last byte of the body, however it trickles in.
    pub read_timeout: Duration,
}

/// Reads the body as it streams in and stops at the app's `BodyLimits`: an oversized or
/// endless body is refused without being buffered whole, and a body still incomplete at the
/// deadline is refused as malformed, so a trickling client holds nothing for long.
pub async fn read_body(request: &HttpRequest, payload: &mut Payload) -> Result<Bytes> {
    let limits = request
        .app_data::<BodyLimits>()
        .copied()
        .ok_or_else(|| Error::unknown("no BodyLimits configured"))?;
    tokio::time::timeout(limits.read_timeout, read_at_most(limits.max_bytes, payload))
        .await
        .unwrap_or_else(|_| {
            Err(Error::MalformedRequest(format!(
                "the body did not arrive within {:?}",
                limits.read_timeout
            )))
        })
}

async fn read_at_most(max_bytes: usize, payload: &mut Payload) -> Result<Bytes> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::MalformedRequest(format!("unreadable body ({e})")))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(Error::RequestTooLarge(max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The body of a refusal, holding the refused request's unread payload until it is sent.
struct HoldingUnread {
    body: BoxBody,
    _unread: Payload,
}

impl MessageBody for HoldingUnread {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// The answer to a body refused before its end. Once the request's payload is dropped, actix
/// keeps the connection and reads a chunked body's rest to its end, however long it runs; if
/// the payload is still alive when the answer has been sent, it closes the connection instead,
/// after lingering for its disconnect timeout (1 s) so that the client can read the answer.
pub fn refuse_unread(response: HttpResponse, payload: Payload) -> HttpResponse {
    response.map_body(|_, body| {
        BoxBody::new(HoldingUnread {
            body,
            _unread: payload,
        })
    })
}
