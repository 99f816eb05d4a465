//! Counters of one client, kept with relaxed atomics on the request path and read only when
//! asked for: nothing runs per request on behalf of a reader.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::OwnedSemaphorePermit;

#[derive(Default)]
pub(super) struct Counters {
    requests: AtomicU64,
    errors: AtomicU64,
    bytes_received: AtomicU64,
    connections_opened: AtomicU64,
    in_flight: AtomicU64,
    waiting: AtomicU64,
}

/// What a client has done since it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Requests sent (each redirect followed is part of its request).
    pub requests: u64,
    /// Requests that failed without a response (network, TLS, timeout); aborts are not counted.
    pub errors: u64,
    /// Response body bytes received, after decompression.
    pub bytes_received: u64,
    /// Connections opened (TCP, plus TLS for https).
    pub connections_opened: u64,
    /// Requests begun whose response body has not been read to its end (or dropped) yet.
    pub in_flight: u64,
    /// Of those, requests waiting for a turn on their origin (the `connections` limit).
    pub waiting: u64,
}

impl Counters {
    /// Counts a request begun; it stays in flight until the returned turn is dropped.
    pub(super) fn request(self: &Arc<Self>) -> Turn {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        Turn {
            counters: self.clone(),
            permit: None,
        }
    }

    /// Counts a request waiting for its origin's limit until the returned guard is dropped.
    pub(super) fn wait(self: &Arc<Self>) -> Waiting {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(self.clone())
    }

    pub(super) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn received(&self, n: usize) {
        self.bytes_received.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            bytes_received: self.bytes_received.load(Ordering::Relaxed),
            connections_opened: self.connections_opened.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }
}

/// A request's place: counted in flight, and holding its origin's permit (if limited), from
/// its start until its body has been read or dropped.
pub(super) struct Turn {
    counters: Arc<Counters>,
    pub(super) permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

pub(super) struct Waiting(Arc<Counters>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connector layer that counts the connections established.
#[derive(Clone)]
pub(super) struct CountConnections(pub(super) Arc<Counters>);

impl<S> tower_layer::Layer<S> for CountConnections {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            counters: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub(super) struct Counted<S> {
    inner: S,
    counters: Arc<Counters>,
}

impl<S, R> tower_service::Service<R> for Counted<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let connecting = self.inner.call(req);
        let counters = self.counters.clone();
        Box::pin(async move {
            let conn = connecting.await?;
            counters.connections_opened.fetch_add(1, Ordering::Relaxed);
            Ok(conn)
        })
    }
}
