//! Counters of one client, kept with relaxed atomics on the request path and read only when
//! asked for: nothing runs per request on behalf of a reader.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

#[derive(Default)]
pub(super) struct Counters {
    requests: AtomicU64,
    errors: AtomicU64,
    bytes_received: AtomicU64,
    connections_opened: AtomicU64,
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
}

impl Counters {
    pub(super) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
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
        }
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
