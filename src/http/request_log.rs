use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::CONNECTION;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Rest,
    Soap11,
    Soap12,
    Wsdl,
    Health,
    Web,
}

impl Protocol {
    fn as_str(self) -> &'static str {
        match self {
            Protocol::Rest => "REST",
            Protocol::Soap11 => "SOAP1.1",
            Protocol::Soap12 => "SOAP1.2",
            Protocol::Wsdl => "WSDL",
            Protocol::Health => "health",
            Protocol::Web => "Web",
        }
    }
}

/// What the log line says about a request beyond method, path and status.
#[derive(Debug, Clone, Default)]
struct RequestLabel {
    protocol: Option<Protocol>,
    operation: Option<String>,
    principal: Option<String>,
}

/// Names the protocol and operation of the request being handled.
pub fn label_request(request: &HttpRequest, protocol: Protocol, operation: &str) {
    let mut extensions = request.extensions_mut();
    let label = extensions.get_or_insert_with(RequestLabel::default);
    label.protocol = Some(protocol);
    label.operation = Some(operation.to_owned());
}

/// Names the principal the request ran as.
pub fn set_principal(request: &HttpRequest, login: &str) {
    let mut extensions = request.extensions_mut();
    extensions
        .get_or_insert_with(RequestLabel::default)
        .principal = Some(login.to_owned());
}

/// One structured line per request (never a password or an `Authorization` header), and
/// `Connection: close` echoed: some clients reuse a socket they asked to close.
pub async fn log_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.path().to_owned();
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
    tracing::info!(
        method,
        path,
        protocol = label.protocol.map(Protocol::as_str),
        operation = label.operation,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        principal = label.principal,
        "request"
    );
    Ok(response)
}
