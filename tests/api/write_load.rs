//! Write load from several workers at once: each creates API users one after another, half over
//! REST and half over SOAP (1.1 and 1.2), as the owner. Every write is recorded with when it
//! was sent, when its answer came and what the answer was, so that a test can tell which writes
//! were acknowledged and which were in flight at a given moment.

use crate::helpers::{
    API_PASSWORD, Endpoint, OWNER, OWNER_PASSWORD, Soap, TYPES_NS, V2_NS, envelope,
};
use crate::server_process::WAIT;
use crate::xml::body_payload;
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

pub struct Write {
    pub description: String,
    pub sent: Instant,
    pub answered: Instant,
    pub answer: Answer,
}

pub enum Answer {
    /// Created: the new user's id, and the instance that answered (HAProxy's `X-Served-By`).
    Acknowledged { id: i32, served_by: String },
    /// Any other HTTP answer.
    Refused { status: StatusCode, body: String },
    /// No HTTP answer at all.
    Lost(String),
}

/// A write as a failing test shows it: its description, how long after the other's start it was
/// sent and answered, and the answer.
impl std::fmt::Display for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let took = self.answered - self.sent;
        write!(f, "{} ({took:?}): ", self.description)?;
        match &self.answer {
            Answer::Acknowledged { id, served_by } => write!(f, "id {id} from {served_by}"),
            Answer::Refused { status, body } => write!(f, "{status} {body}"),
            Answer::Lost(error) => write!(f, "no answer: {error}"),
        }
    }
}

/// Writes one a line, for a failing test's message.
pub fn listed(writes: &[&Write]) -> String {
    writes.iter().map(|w| format!("\n{w}")).collect()
}

impl Write {
    pub fn acknowledged(&self) -> Option<(i32, &str)> {
        match &self.answer {
            Answer::Acknowledged { id, served_by } => Some((*id, served_by)),
            _ => None,
        }
    }

    /// Whether the write was between sent and answered at some point of `from..=to`.
    pub fn in_flight_during(&self, from: Instant, to: Instant) -> bool {
        self.sent <= to && self.answered >= from
    }
}

pub struct Load {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
    workers: Vec<JoinHandle<Vec<Write>>>,
}

impl Load {
    /// Starts `workers` workers writing through `endpoint`.
    pub fn start(endpoint: &Endpoint, workers: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let workers = (0..workers)
            .map(|worker| {
                let (address, stop, acknowledged) =
                    (endpoint.address.clone(), stop.clone(), acknowledged.clone());
                tokio::spawn(async move {
                    // A connection per write. On a kept-alive connection HAProxy may send a
                    // write over an idle server connection it reuses, and when that one turns out
                    // closed it closes the client's connection unanswered for the client to
                    // retry (`http-reuse safe`); this client does not retry, so that would read
                    // as a lost write that no instance ever saw.
                    let client = reqwest::Client::builder()
                        .pool_max_idle_per_host(0)
                        .build()
                        .expect("a client");
                    let mut writes = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let description = format!("load {worker}-{}", writes.len());
                        let sent = Instant::now();
                        let answer = create(&client, &address, worker, &description).await;
                        if matches!(answer, Answer::Acknowledged { .. }) {
                            acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        writes.push(Write {
                            description,
                            sent,
                            answered: Instant::now(),
                            answer,
                        });
                    }
                    writes
                })
            })
            .collect();
        Load {
            stop,
            acknowledged,
            workers,
        }
    }

    /// How many writes were acknowledged so far.
    pub fn acknowledged(&self) -> usize {
        self.acknowledged.load(Ordering::Relaxed)
    }

    /// Waits, up to the bound, until `count` writes in all were acknowledged.
    pub async fn until_acknowledged(&self, count: usize) {
        let deadline = Instant::now() + WAIT;
        while self.acknowledged() < count {
            assert!(
                Instant::now() < deadline,
                "only {} of {count} writes acknowledged",
                self.acknowledged()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops the workers once their writes in flight are answered; every write, in no order.
    pub async fn stop(self) -> Vec<Write> {
        self.stop.store(true, Ordering::Relaxed);
        let mut writes = Vec::new();
        for worker in self.workers {
            writes.extend(worker.await.unwrap());
        }
        writes
    }
}

/// The SOAP payload that creates an API user described `description`, with `API_PASSWORD`.
pub fn soap_create(description: &str) -> String {
    format!(
        r#"<CreateApiUser xmlns="{V2_NS}" xmlns:a="{TYPES_NS}"><apiUser><a:Description>{description}</a:Description><a:Password>{API_PASSWORD}</a:Password><a:ConfirmPassword>{API_PASSWORD}</a:ConfirmPassword></apiUser></CreateApiUser>"#
    )
}

/// Creates an API user described `description`: over REST for even workers, over SOAP 1.1 or
/// 1.2 for odd ones.
async fn create(
    client: &reqwest::Client,
    address: &str,
    worker: usize,
    description: &str,
) -> Answer {
    let request = match worker % 4 {
        0 | 2 => client
            .post(format!("{address}/v2/api-users"))
            .json(&serde_json::json!({
                "description": description,
                "password": API_PASSWORD,
                "confirmPassword": API_PASSWORD
            })),
        odd => {
            let (version, content_type) = if odd == 1 {
                (Soap::V11, "text/xml; charset=utf-8")
            } else {
                (Soap::V12, "application/soap+xml; charset=utf-8")
            };
            client
                .post(format!("{address}/v2/Api.svc"))
                .header("Content-Type", content_type)
                .body(envelope(version, &soap_create(description)))
        }
    };
    let response = match request.basic_auth(OWNER, Some(OWNER_PASSWORD)).send().await {
        Ok(response) => response,
        Err(error) => return Answer::Lost(causes(&error)),
    };
    let status = response.status();
    let served_by = response
        .headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match response.text().await {
        Ok(body) => body,
        Err(error) => return Answer::Lost(causes(&error)),
    };
    let id = match status {
        StatusCode::CREATED => serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
            .as_i64()
            .and_then(|id| i32::try_from(id).ok()),
        StatusCode::OK => body_payload(&body)
            .child(V2_NS, "CreateApiUserResult")
            .and_then(|user| user.child_text(TYPES_NS, "Id"))
            .and_then(|id| id.parse().ok()),
        _ => None,
    };
    match id {
        Some(id) => Answer::Acknowledged { id, served_by },
        None => Answer::Refused { status, body },
    }
}

/// An error and its causes, outermost first.
fn causes(error: &dyn std::error::Error) -> String {
    let mut said = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        said.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    said
}
