//! Synchronous binding of the in-memory rate-limit store. Results are written into a
//! caller-owned `Float64Array` (`[points, expire]`) instead of building a JS object, so a
//! check costs one napi call.
use alova_core::ratelimit::{MemoryStore, Record};
use napi::bindgen_prelude::Float64ArraySlice;

#[napi]
pub struct RateLimitStore {
    inner: MemoryStore,
}

fn write(mut out: Float64ArraySlice, rec: Record) {
    // SAFETY: the JS thread is inside this synchronous call, so nothing else touches the
    // buffer while it is written.
    let out = unsafe { out.as_mut() };
    if out.len() >= 2 {
        out[0] = rec.points;
        out[1] = rec.expire;
    }
}

#[napi]
impl RateLimitStore {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        RateLimitStore {
            inner: MemoryStore::new(),
        }
    }

    /// Consumes `points`; on the first excess over `limit` with `blockMs > 0` the window is
    /// extended to `now + blockMs` in the same step.
    #[napi(ts_args_type = "key: string, points: number, durationMs: number, limit: number, blockMs: number, now: number, out: Float64Array")]
    #[allow(clippy::too_many_arguments)]
    pub fn consume(
        &self,
        key: String,
        points: f64,
        duration_ms: f64,
        limit: f64,
        block_ms: f64,
        now: f64,
        out: Float64ArraySlice,
    ) {
        write(out, self.inner.consume(&key, points, duration_ms, limit, block_ms, now));
    }

    /// Adds `points` (or overwrites the record when `force`).
    #[napi(ts_args_type = "key: string, points: number, durationMs: number, force: boolean, now: number, out: Float64Array")]
    pub fn upsert(
        &self,
        key: String,
        points: f64,
        duration_ms: f64,
        force: bool,
        now: f64,
        out: Float64ArraySlice,
    ) {
        write(out, self.inner.upsert(&key, points, duration_ms, force, now));
    }

    /// Writes the live record into `out` and returns true, or returns false.
    #[napi(ts_args_type = "key: string, now: number, out: Float64Array")]
    pub fn get(&self, key: String, now: f64, out: Float64ArraySlice) -> bool {
        match self.inner.get(&key, now) {
            Some(rec) => {
                write(out, rec);
                true
            }
            None => false,
        }
    }

    #[napi]
    pub fn delete(&self, key: String) -> bool {
        self.inner.delete(&key)
    }

    #[napi]
    pub fn clear(&self) {
        self.inner.clear()
    }

    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }
}
