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

/// Origins kept before entries nobody holds are dropped.
const ORIGINS_KEPT: usize = 64;

/// One semaphore per origin. A request holds its permit until its response body has been read
/// (or dropped), which is when its connection can serve the next request.
pub(super) struct OriginLimit {
    per_origin: usize,
    origins: Mutex<Origins>,
}

struct Origins {
    map: HashMap<String, Arc<Semaphore>>,
    /// The size at which the next insert prunes: twice what survived the last pruning, so
    /// pruning costs O(1) per insert however many origins stay in use.
    prune_at: usize,
}

impl OriginLimit {
    pub(super) fn new(per_origin: usize) -> OriginLimit {
        OriginLimit {
            per_origin,
            origins: Mutex::new(Origins {
                map: HashMap::new(),
                prune_at: ORIGINS_KEPT,
            }),
        }
    }

    pub(super) async fn acquire(&self, url: &reqwest::Url) -> Option<OwnedSemaphorePermit> {
        let origin = url.origin().ascii_serialization();
        let slot = {
            let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
            if !origins.map.contains_key(&origin) && origins.map.len() >= origins.prune_at {
                origins.prune();
            }
            origins
                .map
                .entry(origin)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_origin)))
                .clone()
        };
        // The semaphore is never closed.
        slot.acquire_owned().await.ok()
    }

    /// Origins with an entry (held or not).
    #[cfg(test)]
    pub(super) fn origins(&self) -> usize {
        self.origins.lock().unwrap().map.len()
    }
}

impl Origins {
    /// Drops the semaphores nobody holds: a permit, or a request waiting for one, keeps a
    /// reference, so an entry referenced only by the map has all its permits free.
    fn prune(&mut self) {
        self.map.retain(|_, s| Arc::strong_count(s) > 1);
        self.prune_at = (self.map.len() * 2).max(ORIGINS_KEPT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(port: u16) -> reqwest::Url {
        reqwest::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap()
    }

    #[tokio::test]
    async fn unheld_origins_are_pruned_and_held_ones_kept() {
        let limit = OriginLimit::new(1);
        let held = limit.acquire(&url(1)).await.unwrap();
        for port in 2..=ORIGINS_KEPT as u16 {
            drop(limit.acquire(&url(port)).await);
        }
        assert_eq!(limit.origins(), ORIGINS_KEPT);
        // The next new origin prunes every entry but the held one, then joins it.
        drop(limit.acquire(&url(1000)).await);
        assert_eq!(limit.origins(), 2);
        // The held origin still has its one permit taken: a second request waits.
        let first = url(1);
        let waiting = limit.acquire(&first);
        tokio::pin!(waiting);
        assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        drop(held);
        assert!(waiting.await.is_some());
        // However many origins pass through, the map stays bounded.
        for port in 2000..4000 {
            drop(limit.acquire(&url(port)).await);
        }
        assert!(limit.origins() <= ORIGINS_KEPT + 1, "{}", limit.origins());
    }
}
