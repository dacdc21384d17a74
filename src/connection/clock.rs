//! Where a connection stands between requests, shared by its stream and the app.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The connection's first head, which actix times itself, or a request in service, whose
    /// body and handler are bounded elsewhere.
    Untimed,
    /// Answered: the next request must begin by then, or the connection is idle too long.
    Idle { until: Instant },
    /// A later request's head has begun and must be complete by then.
    LaterHead { until: Instant },
}

/// One connection's clock. Cloned into the connection's data, so that the app can reach it
/// through `conn_data`; the connection lives on one worker thread, hence `Rc`.
#[derive(Debug, Clone)]
pub struct HeadClock(Rc<Clock>);

#[derive(Debug)]
struct Clock {
    phase: Cell<Phase>,
    keep_alive: Duration,
    head_timeout: Duration,
}

impl HeadClock {
    pub fn new(keep_alive: Duration, head_timeout: Duration) -> HeadClock {
        HeadClock(Rc::new(Clock {
            phase: Cell::new(Phase::Untimed),
            keep_alive,
            head_timeout,
        }))
    }

    /// When the connection must have made progress, if it must.
    pub(super) fn deadline(&self) -> Option<Instant> {
        match self.0.phase.get() {
            Phase::Untimed => None,
            Phase::Idle { until } | Phase::LaterHead { until } => Some(until),
        }
    }

    /// Bytes arrived: after an answer they begin the next head, which starts its timeout.
    pub(super) fn bytes_arrived(&self) {
        if let Phase::Idle { .. } = self.0.phase.get() {
            let until = Instant::now() + self.0.head_timeout;
            self.0.phase.set(Phase::LaterHead { until });
        }
    }

    fn in_service(&self) {
        self.0.phase.set(Phase::Untimed);
    }

    /// Bytes that arrived while the request was in service may already hold part of the next
    /// head, so the idle deadline bounds them too: a pipelined head that then stalls is cut
    /// off at the keep-alive time after the answer.
    fn answered(&self) {
        let until = Instant::now() + self.0.keep_alive;
        self.0.phase.set(Phase::Idle { until });
    }
}

/// The app's middleware: no head deadline while a request is in service; the idle one from
/// its answer on.
pub async fn pause_head_clock(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let clock = request.conn_data::<HeadClock>().cloned();
    if let Some(clock) = &clock {
        clock.in_service();
    }
    let response = next.call(request).await;
    if let Some(clock) = clock {
        clock.answered();
    }
    response
}
