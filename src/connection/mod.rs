//! A deadline for every request head on a kept-alive connection, not only the first.
//!
//! actix-http times a connection's first request head (`client_request_timeout`, answered
//! with 408) and an idle connection (`keep_alive`), but once a byte of a later request arrives
//! it stops both and waits for the rest of the head without limit (`h1/dispatcher.rs`: the
//! head timer is set once per connection and "only applies to first request on connection";
//! the keep-alive timer is cleared by the first byte read). So the server wraps each accepted
//! stream in [`HeadTimedStream`], which shares a [`HeadClock`] with the app: the app tells the
//! clock when a request is in service and when it has its answer, and the stream ends the
//! connection when a later head is not complete in time.

mod accepted;
mod clock;
mod stream;

pub use accepted::{Accepted, accept};
pub use clock::{HeadClock, pause_head_clock};
pub use stream::HeadTimedStream;
