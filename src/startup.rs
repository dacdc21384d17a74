//! Building the gateway from its settings. Tests start it on `127.0.0.1:0`.

use crate::auth::{CredentialCache, PasswordHasher};
use crate::config::{Secret, Settings, StoreSettings};
use crate::connection::{Accepted, HeadClock, HeadTimedStream, accept, pause_head_clock};
use crate::domain::Error;
use crate::edge::{expect_continue, give_bare_answers_a_body, refuse_declared_oversize};
use crate::http::{guard_body, head_as_get, log_requests, rate_limit_headers};
use crate::monitoring::{Metrics, metrics_app};
use crate::service::accounts::{Bootstrap, bootstrap};
use crate::service::{Gateway, GatewaySettings, Refusals};
use crate::soap::ServedWsdl;
use crate::storage;
use crate::tls::{ServedCertificate, TlsError};
use crate::{rest, soap};
use actix_http::error::DispatchError;
use actix_http::{HttpService, Protocol};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::rt::net::TcpStream;
use actix_web::{App, web};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// How long an answer whose request body was not read to its end may take to reach the client
/// before the connection closes (`HttpServer`'s default).
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("cannot start: {0:?}")]
    Gateway(Error),
    #[error("cannot serve HTTPS: {0}")]
    Tls(#[from] TlsError),
}

impl From<Error> for StartupError {
    fn from(error: Error) -> Self {
        StartupError::Gateway(error)
    }
}

/// Opens the store and builds the use cases' shared state.
pub fn open_gateway(store: &StoreSettings, settings: GatewaySettings) -> Result<Gateway, Error> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opened = storage::open(store)?;
    let highest_stored_cost = opened.highest_password_cost()?;
    Ok(Gateway {
        store: opened,
        hasher: PasswordHasher::new(store.bcrypt_cost, highest_stored_cost, cores)?,
        credentials: CredentialCache::new(
            settings.credential_cache.entries,
            Duration::from_secs(settings.credential_cache.ttl_seconds),
        )?,
        refusals: Refusals::default(),
        settings,
    })
}

/// The gateway for operator commands (the CLI): they authenticate nobody and serve nothing,
/// so only the store and the hasher matter.
pub fn open_operator_gateway(store: &StoreSettings) -> Result<Gateway, Error> {
    let settings = GatewaySettings {
        apiuser_domain: String::new(),
        public_url: String::new(),
        protection: Default::default(),
        credential_cache: Default::default(),
        web_session_seconds: 0,
    };
    open_gateway(store, settings)
}

/// Runs `work` on a thread of its own and waits for it: store calls made outside the
/// server's blocking pool (opening, bootstrap, operator commands) may be reached from an async
/// thread, where PostgreSQL's synchronous client must not run.
pub fn on_a_blocking_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

pub struct Application {
    server: Server,
    port: u16,
    metrics_port: Option<u16>,
    bootstrap: Bootstrap,
    certificate: Option<Arc<ServedCertificate>>,
}

impl Application {
    /// Binds, opens the database (creating the first account on an empty one) and prepares
    /// the server; nothing is served until `run_until_stopped`.
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        let certificate = settings.tls().map(ServedCertificate::load).transpose()?;
        let tls = certificate.as_ref().map(ServedCertificate::acceptor);
        let listener = TcpListener::bind(&settings.bind)?;
        let metrics_listener = settings
            .metrics_bind
            .as_ref()
            .map(TcpListener::bind)
            .transpose()?;
        let bound = listener.local_addr()?;
        let public_url = settings.public_url_for(bound);
        let (gateway, bootstrap) = on_a_blocking_thread(|| {
            let gateway = open_gateway(
                &settings.store,
                GatewaySettings {
                    apiuser_domain: settings.apiuser_domain.to_ascii_lowercase(),
                    public_url: public_url.clone(),
                    protection: settings.protection.clone().into(),
                    credential_cache: settings.credential_cache.into(),
                    web_session_seconds: i64::from(settings.web_session_minutes) * 60,
                },
            )?;
            let bootstrap = bootstrap(
                &gateway,
                &settings.account_name,
                &settings.owner_email,
                settings.owner_password.as_ref().map(Secret::expose),
            )?;
            Ok::<_, Error>((gateway, bootstrap))
        })?;
        let gateway = web::Data::new(gateway);
        let wsdl = web::Data::new(ServedWsdl::new(&public_url));
        let limits = settings.limits;
        let trusted_proxies = settings.trusted_proxy.clone();
        let document = rest::openapi::document();
        let allowed = rest::allowed_methods(&document);
        let body_limits = limits.body();
        let metrics = metrics_listener
            .as_ref()
            .map(|_| web::Data::new(Metrics::new()));
        let mut builder = actix_server::Server::build();
        let metrics_port = match (metrics_listener, &metrics) {
            (Some(listener), Some(metrics)) => {
                let port = listener.local_addr()?.port();
                let (metrics, gateway) = (metrics.clone(), gateway.clone());
                builder = builder.listen("dualgate-metrics", listener, move || {
                    let app = metrics_app(metrics.clone(), gateway.clone());
                    HttpService::build()
                        .finish(map_config(app, |()| AppConfig::default()))
                        .tcp()
                })?;
                Some(port)
            }
            _ => None,
        };
        let shutting_down = builder.graceful_shutdown_signal();
        let server = builder
            .listen("dualgate", listener, move || {
                // The SOAP endpoint first: actix tries routes in order, and the REST and page
                // routes after it include patterns matched by regular expression.
                let app = App::new()
                    .configure(soap::routes)
                    .into_utoipa_app()
                    .configure(rest::routes)
                    .into_app()
                    .wrap(from_fn(head_as_get))
                    .wrap(from_fn(guard_body))
                    .wrap(from_fn(refuse_declared_oversize))
                    .wrap(from_fn(give_bare_answers_a_body))
                    .wrap(from_fn(rate_limit_headers))
                    .wrap(from_fn(log_requests))
                    .wrap(from_fn(pause_head_clock))
                    .app_data(gateway.clone())
                    .app_data(metrics.clone())
                    .app_data(wsdl.clone())
                    .app_data(body_limits)
                    .app_data(trusted_proxies.clone())
                    .app_data(limits.xml())
                    .app_data(limits.json())
                    .configure(crate::web::routes)
                    .configure(|config| rest::method_fallbacks(config, &allowed))
                    .service(web::redirect("/docs", "/docs/"))
                    .service(
                        SwaggerUi::new("/docs/{_:.*}")
                            .url("/openapi.json", document.clone())
                            .config(Config::default().validator_url("none")),
                    )
                    .default_service(web::to(rest::not_found));
                let shutting_down = shutting_down.clone();
                let http = HttpService::build()
                    .client_request_timeout(limits.client_request_timeout())
                    .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
                    .keep_alive(limits.keep_alive())
                    .on_connect_ext(|stream: &HeadTimedStream<Accepted>, data| {
                        data.insert(stream.clock().clone());
                    })
                    .local_addr(bound)
                    // What `HttpServer` does too: idle keep-alive connections close at once
                    // when a graceful shutdown starts.
                    .graceful_shutdown_signal(move || {
                        let shutting_down = shutting_down.clone();
                        async move { shutting_down.notified().await }
                    })
                    .expect(expect_continue(body_limits))
                    // The host and address of `AppConfig` serve URL generation and
                    // `ConnectionInfo`, which dualgate does not use; the peer address comes
                    // from the connection.
                    .finish(map_config(app, |()| AppConfig::default()));
                // What `HttpService::tcp` does, with the TLS handshake when it is on and the
                // stream wrapped.
                let tls = tls.clone();
                fn_service(move |stream: TcpStream| {
                    let tls = tls.clone();
                    async move {
                        let peer = stream.peer_addr().ok();
                        let stream = accept(stream, tls.as_ref(), limits.client_request_timeout())
                            .await
                            .map_err(DispatchError::Io)?;
                        let clock = HeadClock::new(
                            limits.keep_alive_time(),
                            limits.client_request_timeout(),
                        );
                        Ok((HeadTimedStream::new(stream, clock), Protocol::Http1, peer))
                    }
                })
                .and_then(http)
            })?
            .shutdown_timeout(Duration::from_secs(10).as_secs())
            .run();
        Ok(Application {
            server,
            port: bound.port(),
            metrics_port,
            bootstrap,
            certificate,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The metrics listener's port, when `--metrics-bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The certificate served, when HTTPS is on: what `SIGHUP` reloads.
    pub fn certificate(&self) -> Option<Arc<ServedCertificate>> {
        self.certificate.clone()
    }

    /// What first-start bootstrap did.
    pub fn bootstrap(&self) -> &Bootstrap {
        &self.bootstrap
    }

    /// Stops the server gracefully: in-flight requests finish.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by the handle or by SIGINT/SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
