//! The accepted stream, ended when the connection misses its clock's deadline.

use super::HeadClock;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Sleep, sleep_until};

/// A stream whose reads end (as if the client had closed its side) once its clock's deadline
/// passes. actix then closes the connection as it does for any client that stops sending:
/// it finishes an answer still being written, flushes and shuts the socket down.
pub struct HeadTimedStream<IO> {
    io: IO,
    clock: HeadClock,
    /// Made on the first deadline, so that a connection that never has one allocates nothing.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<IO> HeadTimedStream<IO> {
    pub fn new(io: IO, clock: HeadClock) -> HeadTimedStream<IO> {
        HeadTimedStream {
            io,
            clock,
            timer: None,
        }
    }

    pub fn clock(&self) -> &HeadClock {
        &self.clock
    }

    /// Whether the deadline has passed; if not, the task is woken when it does.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.clock.deadline() else {
            return false;
        };
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        timer.as_mut().poll(cx).is_ready()
    }

    /// actix reads on every wake-up, so waking is enough for the read to see the deadline.
    fn wake_reader_if_expired(&mut self, cx: &mut Context<'_>) {
        if self.poll_expired(cx) {
            cx.waker().wake_by_ref();
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for HeadTimedStream<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.poll_expired(cx) {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let read = Pin::new(&mut self.io).poll_read(cx, buf);
        // A head that begins here gets a new deadline, armed by the next read: actix reads
        // until a read would block.
        if buf.filled().len() > before {
            self.clock.bytes_arrived();
        }
        read
    }
}

/// Writes pass straight through; they also arm the timer, because the clock's idle deadline
/// starts with the answer, which is written before the connection next reads.
impl<IO: AsyncWrite + Unpin> AsyncWrite for HeadTimedStream<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.wake_reader_if_expired(cx);
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.wake_reader_if_expired(cx);
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
