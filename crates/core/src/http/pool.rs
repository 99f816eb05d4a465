//! Connection-pool settings, and the limit on requests in flight per origin.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Requests in flight per origin (scheme, host, port); further ones wait their turn. Over
    /// HTTP/1.1 a connection carries one request at a time, so this also bounds the open
    /// connections per origin. `None`: no limit.
    pub connections: Option<usize>,
    /// How long an idle connection stays in the pool.
    pub idle_timeout: Duration,
    /// `false`: every connection closes after its response.
    pub keep_alive: bool,
    /// `false`: HTTP/1.1 only, even with a server that offers h2.
    pub allow_h2: bool,
    /// How long opening a connection (TCP and TLS) may take; `None`: the system's limit.
    pub connect_timeout: Option<Duration>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            connections: None,
            idle_timeout: Duration::from_secs(60),
            keep_alive: true,
            allow_h2: true,
            connect_timeout: None,
        }
    }
}

impl PoolOptions {
    pub(super) fn apply(&self, mut b: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        b = b.pool_idle_timeout(self.idle_timeout);
        if !self.keep_alive {
            b = b.pool_max_idle_per_host(0);
        }
        if !self.allow_h2 {
            b = b.http1_only();
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        b
    }
}

/// One semaphore per origin. A request holds its permit until its response body has been read
/// (or dropped), which is when its connection can serve the next request.
pub(super) struct OriginLimit {
    per_origin: usize,
    origins: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl OriginLimit {
    pub(super) fn new(per_origin: usize) -> OriginLimit {
        OriginLimit {
            per_origin,
            origins: Mutex::new(HashMap::new()),
        }
    }

    pub(super) async fn acquire(&self, url: &reqwest::Url) -> Option<OwnedSemaphorePermit> {
        let origin = url.origin().ascii_serialization();
        let slot = self
            .origins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(origin)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_origin)))
            .clone();
        // The semaphore is never closed.
        slot.acquire_owned().await.ok()
    }
}
