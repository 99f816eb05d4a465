//! Binding of the L1 cache index. Every call is synchronous and allocates nothing on the JS
//! side: JS passes one `Uint32Array` (`io`) that carries the slots it touched since the last
//! call (`io[..touched]`, applied first) and receives the slots the index dropped (written
//! from `io[0]`, the count is returned). Hits never call in: JS batches their touches.
use alova_core::cache::{Index, Limits};

/// `io` as napi sees it: a mutable view of the caller's `Uint32Array` for the call's duration.
type Io<'a> = &'a mut [u32];

use crate::constants::L1_COUNT_SHIFT as COUNT_SHIFT;

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

impl L1Index {
    fn apply_touches(&mut self, io: &[u32], touched: u32) {
        let n = (touched as usize).min(io.len());
        self.inner.touch_all(&io[..n]);
    }
}

#[napi]
impl L1Index {
    /// `max_entries` / `max_bytes` of 0 mean unlimited.
    #[napi(catch_unwind, constructor)]
    pub fn new(max_entries: u32, max_bytes: f64) -> Self {
        L1Index {
            inner: Index::new(Limits {
                max_entries,
                max_bytes: to_u64(max_bytes),
            }),
        }
    }

    /// Adds an entry. Returns `slot + 2^32 × n`, with the first `n` dropped slots in `io`.
    #[napi(catch_unwind)]
    pub fn insert(
        &mut self,
        io: Io,
        touched: u32,
        bytes: f64,
        expire_at: f64,
        pinned: bool,
    ) -> crate::error::Result<f64> {
        crate::error::guard(|| {
            self.apply_touches(io, touched);
            let slot = self.inner.insert(to_u64(bytes), to_ms(expire_at), pinned);
            let n = self.inner.drain_dropped(io);
            Ok(f64::from(slot) + n as f64 * COUNT_SHIFT)
        })
    }

    /// Re-sizes and re-times an entry; returns how many dropped slots are in `io`.
    #[napi(catch_unwind)]
    pub fn update(
        &mut self,
        io: Io,
        touched: u32,
        slot: u32,
        bytes: f64,
        expire_at: f64,
    ) -> crate::error::Result<u32> {
        crate::error::guard(|| {
            self.apply_touches(io, touched);
            self.inner.update(slot, to_u64(bytes), to_ms(expire_at));
            Ok(self.inner.drain_dropped(io) as u32)
        })
    }

    #[napi(catch_unwind)]
    pub fn touch(&mut self, io: &[u32], touched: u32) -> crate::error::Result<()> {
        crate::error::guard(|| {
            self.apply_touches(io, touched);
            Ok(())
        })
    }

    #[napi(catch_unwind)]
    pub fn remove(&mut self, io: &[u32], touched: u32, slot: u32) -> crate::error::Result<()> {
        crate::error::guard(|| {
            self.apply_touches(io, touched);
            self.inner.remove(slot);
            Ok(())
        })
    }

    #[napi(catch_unwind)]
    pub fn clear(&mut self) -> crate::error::Result<()> {
        crate::error::guard(|| {
            self.inner.clear();
            Ok(())
        })
    }

    /// Drops entries expired at `now` (ms); returns how many dropped slots are in `io`.
    #[napi(catch_unwind)]
    pub fn expire(&mut self, io: Io, touched: u32, now: f64) -> crate::error::Result<u32> {
        crate::error::guard(|| {
            self.apply_touches(io, touched);
            self.inner.expire(to_ms(now));
            Ok(self.inner.drain_dropped(io) as u32)
        })
    }

    /// Dropped slots that did not fit in `io` last time; returns how many were written.
    #[napi(catch_unwind)]
    pub fn drain(&mut self, io: Io) -> crate::error::Result<u32> {
        crate::error::guard(|| Ok(self.inner.drain_dropped(io) as u32))
    }

    /// The earliest expiry among live entries, 0 when none.
    #[napi(catch_unwind)]
    pub fn next_expiry(&mut self) -> crate::error::Result<f64> {
        crate::error::guard(|| Ok(self.inner.next_expiry() as f64))
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> crate::error::Result<L1IndexStats> {
        crate::error::guard(|| {
            let s = self.inner.stats();
            Ok(L1IndexStats {
                entries: s.entries,
                bytes: s.bytes as f64,
                evictions: s.evictions as f64,
                expirations: s.expirations as f64,
            })
        })
    }
}
