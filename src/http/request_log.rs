//! One structured line per request: the label handlers give it, and who the call ran as; and
//! the request's count and duration in the metrics, when they are on.

use super::client_address::client_address;
use crate::domain::{Channel, Error};
use crate::monitoring::{Metrics, RequestKind};
use crate::service::Operation;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::CONNECTION;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use std::time::Instant;

/// What the log line says about a request beyond method, path and status: the channel it came
/// through (SOAP's with its version, which the audit trail leaves out) or the document served
/// to anyone, the operation, and whom it ran as.
#[derive(Debug, Clone, Default)]
struct RequestLabel {
    channel: Option<Channel>,
    soap_version: Option<&'static str>,
    document: Option<&'static str>,
    operation: Option<Operation>,
    /// What a document request served, in place of an operation.
    served: Option<&'static str>,
    principal: Option<String>,
}

impl RequestLabel {
    /// The log's `protocol`: `REST`, `SOAP1.1`, `SOAP1.2`, `Web`, or the document's name.
    fn protocol(&self) -> Option<String> {
        match (self.document, self.channel) {
            (Some(document), _) => Some(document.to_owned()),
            (None, Some(channel)) => Some(format!(
                "{}{}",
                channel.as_str(),
                self.soap_version.unwrap_or_default()
            )),
            (None, None) => None,
        }
    }

    /// The log's `operation`: the operation's name, what a document request served, or `-`.
    fn operation(&self) -> &'static str {
        self.operation
            .map(Operation::name)
            .or(self.served)
            .unwrap_or("-")
    }

    /// The metrics' `operation` and `protocol` labels.
    fn kind(&self, outcome: &'static str) -> RequestKind {
        let protocol = match (self.channel, self.soap_version) {
            (Some(Channel::Rest), _) => "rest",
            (Some(Channel::Soap), Some(SOAP_12)) => "soap12",
            (Some(Channel::Soap), _) => "soap11",
            (Some(Channel::Web), _) => "web",
            (Some(Channel::Cli) | None, _) => "none",
        };
        RequestKind {
            operation: self.operation.map_or("none", Operation::name),
            protocol,
            outcome,
        }
    }
}

const SOAP_12: &str = "1.2";

/// The catalogue code an error response answered, for the metrics' `outcome`.
#[derive(Debug, Clone, Copy)]
struct Outcome(&'static str);

/// Marks `response` as answering `error`. A response left unmarked counts as `ok` below 400
/// and as `HTTP_<status>` otherwise (a page that is not there, a forged form).
pub fn answering(mut response: HttpResponse, error: &Error) -> HttpResponse {
    response.extensions_mut().insert(Outcome(error.code()));
    response
}

fn label<R>(request: &HttpRequest, change: impl FnOnce(&mut RequestLabel) -> R) -> R {
    change(
        request
            .extensions_mut()
            .get_or_insert_with(RequestLabel::default),
    )
}

/// Names the channel of the request being handled, and its operation once known (`-` until).
pub fn label_request(request: &HttpRequest, channel: Channel, operation: Option<Operation>) {
    label(request, |label| {
        label.channel = Some(channel);
        label.operation = operation;
    });
}

/// Names the SOAP version the request's envelope is in (`1.1`, `1.2`).
pub fn label_soap_version(request: &HttpRequest, version: &'static str) {
    label(request, |label| label.soap_version = Some(version));
}

/// Names a document served without a call (the WSDL, health), and what was served.
pub fn label_document(request: &HttpRequest, document: &'static str, served: &'static str) {
    label(request, |label| {
        label.document = Some(document);
        label.served = Some(served);
    });
}

/// The channel the request was labelled with.
pub(super) fn channel(request: &HttpRequest) -> Option<Channel> {
    label(request, |label| label.channel)
}

/// Names the principal the request ran as.
pub(super) fn set_principal(request: &HttpRequest, login: &str) {
    label(request, |label| label.principal = Some(login.to_owned()));
}

/// One structured line per request, with the client's address (never a password or an `Authorization` header), and
/// `Connection: close` echoed: some clients reuse a socket they asked to close.
pub async fn log_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.path().to_owned();
    let client = client_address(request.request()).map(|address| address.to_string());
    let wants_close = request
        .headers()
        .get(CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    let mut response = next.call(request).await?;
    if wants_close {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    let label = response
        .request()
        .extensions()
        .get::<RequestLabel>()
        .cloned()
        .unwrap_or_default();
    let took = started.elapsed();
    // The app holds the metrics as an `Option`: `None` when they are off.
    let metrics = response.request().app_data::<Option<Data<Metrics>>>();
    if let Some(metrics) = metrics.and_then(Option::as_ref) {
        metrics.record_request(label.kind(outcome_of(&response)), took);
    }
    tracing::info!(
        method,
        path,
        client,
        protocol = label.protocol(),
        operation = label.operation(),
        status = response.status().as_u16(),
        duration_ms = took.as_secs_f64() * 1000.0,
        principal = label.principal,
        "request"
    );
    Ok(response)
}

fn outcome_of<B>(response: &ServiceResponse<B>) -> &'static str {
    let status = response.status();
    match response.response().extensions().get::<Outcome>() {
        Some(Outcome(code)) => code,
        None if status.as_u16() < 400 => "ok",
        None => unmarked_error(status.as_u16()),
    }
}

/// `HTTP_<status>` for an error answer that names no catalogue code.
fn unmarked_error(status: u16) -> &'static str {
    match status {
        403 => "HTTP_403",
        404 => "HTTP_404",
        405 => "HTTP_405",
        _ => "HTTP_ERROR",
    }
}
