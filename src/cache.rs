//! Binding of the L1 cache index. Every call is synchronous and cheap (no allocation of JS
//! objects beyond the returned slot lists); the JS side batches LRU touches so that a cache
//! hit never calls into native code.
use alova_core::cache::{Index, Limits};

#[napi(object)]
pub struct L1IndexStats {
    pub entries: u32,
    pub bytes: f64,
    pub evictions: f64,
    pub expirations: f64,
}

#[napi]
pub struct L1Index {
    inner: Index,
}

fn to_u64(n: f64) -> u64 {
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

fn to_ms(n: f64) -> i64 {
    if n.is_finite() && n > 0.0 {
        n as i64
    } else {
        0
    }
}

#[napi]
impl L1Index {
    /// `max_entries` / `max_bytes` of 0 mean unlimited.
    #[napi(constructor)]
    pub fn new(max_entries: u32, max_bytes: f64) -> Self {
        L1Index {
            inner: Index::new(Limits {
                max_entries,
                max_bytes: to_u64(max_bytes),
            }),
        }
    }

    /// Adds an entry; returns `[slot, ...dropped slots]`.
    #[napi]
    pub fn insert(
        &mut self,
        touched: &[u32],
        bytes: f64,
        expire_at: f64,
        pinned: bool,
    ) -> Vec<u32> {
        self.inner.touch_all(touched);
        let slot = self.inner.insert(to_u64(bytes), to_ms(expire_at), pinned);
        let mut out = Vec::with_capacity(1 + usize::from(self.inner.has_dropped()));
        out.push(slot);
        out.extend(self.inner.take_dropped());
        out
    }

    /// Re-sizes and re-times an entry; returns the dropped slots.
    #[napi]
    pub fn update(&mut self, touched: &[u32], slot: u32, bytes: f64, expire_at: f64) -> Vec<u32> {
        self.inner.touch_all(touched);
        self.inner.update(slot, to_u64(bytes), to_ms(expire_at));
        self.inner.take_dropped()
    }

    #[napi]
    pub fn touch(&mut self, touched: &[u32]) {
        self.inner.touch_all(touched);
    }

    #[napi]
    pub fn remove(&mut self, touched: &[u32], slot: u32) {
        self.inner.touch_all(touched);
        self.inner.remove(slot);
    }

    #[napi]
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Drops entries expired at `now` (ms); returns their slots.
    #[napi]
    pub fn expire(&mut self, now: f64) -> Vec<u32> {
        self.inner.expire(to_ms(now));
        self.inner.take_dropped()
    }

    /// The earliest expiry among live entries, 0 when none.
    #[napi]
    pub fn next_expiry(&mut self) -> f64 {
        self.inner.next_expiry() as f64
    }

    #[napi]
    pub fn stats(&self) -> L1IndexStats {
        let s = self.inner.stats();
        L1IndexStats {
            entries: s.entries,
            bytes: s.bytes as f64,
            evictions: s.evictions as f64,
            expirations: s.expirations as f64,
        }
    }
}
