use crate::domain::{Error, Result};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{self, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpMessage, HttpRequest};
use futures_util::{Stream, StreamExt};
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
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
/// endless body is refused without being buffered whole, and one still incomplete at the
/// deadline `guard_body` set is refused as malformed.
pub async fn read_body(request: &HttpRequest, mut payload: Payload) -> Result<Bytes> {
    let limits = request
        .app_data::<BodyLimits>()
        .copied()
        .ok_or_else(|| Error::unknown("no BodyLimits configured"))?;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut => Error::MalformedRequest(
                format!("the body did not arrive within {:?}", limits.read_timeout),
            ),
            other => Error::MalformedRequest(format!("unreadable body ({other})")),
        })?;
        if body.len() + chunk.len() > limits.max_bytes {
            return Err(Error::RequestTooLarge(limits.max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The request body, shared between the handler that reads it and the answer that keeps it.
type SharedBody = Rc<RefCell<dev::Payload>>;

/// The body as handlers and extractors see it: an error once the deadline has passed.
struct BeforeDeadline {
    body: SharedBody,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for BeforeDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.body.borrow_mut().poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        if this.deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.expired = true;
        let late = io::Error::new(io::ErrorKind::TimedOut, "the body arrived too slowly");
        Poll::Ready(Some(Err(PayloadError::Io(late))))
    }
}

/// An answer's body, holding the request body until the answer has been sent.
struct HoldingRequestBody {
    body: BoxBody,
    _request_body: SharedBody,
}

impl MessageBody for HoldingRequestBody {
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

/// Every route's body gets the app's read deadline, counted from the end of the headers, so no
/// handler or extractor waits on a trickling client for longer. And the body lives until the
/// answer has been sent: if it was not read to its end (refused as too large or too slow, or
/// never read), actix then closes the connection, after lingering for its disconnect timeout
/// (1 s) so that the client can read the answer. Once the body is dropped, actix would instead
/// keep the connection and read a chunked body's rest to its end, however long it runs.
pub async fn guard_body(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limits) = request.app_data::<BodyLimits>().copied() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let body: SharedBody = Rc::new(RefCell::new(request.take_payload()));
    let guarded = BeforeDeadline {
        body: body.clone(),
        deadline: Box::pin(tokio::time::sleep(limits.read_timeout)),
        expired: false,
    };
    request.set_payload(dev::Payload::Stream {
        payload: Box::pin(guarded),
    });
    let response = next.call(request).await?.map_into_boxed_body();
    Ok(response
        .map_body(|_, answer| HoldingRequestBody {
            body: answer,
            _request_body: body,
        })
        .map_into_boxed_body())
}
