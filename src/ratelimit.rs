//! Synchronous binding of the in-memory rate-limit store. Stores are addressed by a numeric
//! id through free functions (see `handles`). Each call passes one caller-owned byte buffer: six f64 slots
//! (`[points, durationMs, limit, blockMs | force, now, keyLength]`, results `[points, expire]`
//! written over the first two) followed by the key's UTF-8 bytes — cheaper than crossing a
//! string and building a result object.
// napi registers these items at load time; a test build of the binding has no such caller.
#![cfg_attr(test, allow(dead_code))]

use alova_core::ratelimit::{MemoryStore, Record};
use napi::bindgen_prelude::Uint8ArraySlice;
use std::sync::Arc;

use crate::handles::Handles;

static STORES: Handles<MemoryStore> = Handles::new();

const SLOTS: usize = crate::constants::RATE_LIMIT_SLOTS as usize;
const HEADER: usize = crate::constants::RATE_LIMIT_HEADER as usize;

/// Runs `f` on store `id`; every store call goes through here, so its panic guard is here.
fn with_store<T>(id: f64, f: impl FnOnce(&MemoryStore) -> T) -> crate::error::Result<T> {
    crate::error::guard(|| {
        STORES.with(id, f).ok_or_else(|| {
            crate::error::invalid_arg(format!("rate-limit store {id} does not exist"))
        })
    })
}

/// The call's buffer: numeric slots and the key bytes.
struct Io<'a> {
    buf: &'a mut [u8],
    key_end: usize,
}

impl<'a> Io<'a> {
    fn new(buf: &'a mut Uint8ArraySlice) -> crate::error::Result<Self> {
        // SAFETY: the JS thread is inside this synchronous call, so nothing else touches the
        // buffer while it is read and written.
        let buf = unsafe { buf.as_mut() };
        if buf.len() < HEADER {
            return Err(crate::error::invalid_arg("rate-limit buffer is too short"));
        }
        let mut io = Io { buf, key_end: 0 };
        let len = io.slot(5);
        let key_end = HEADER.saturating_add(len as usize);
        if len.is_nan() || len < 0.0 || key_end > io.buf.len() {
            return Err(crate::error::invalid_arg(
                "rate-limit key length is out of range",
            ));
        }
        // NaN would poison a record for its window (an infinite limit or duration is meaningful).
        if (0..SLOTS).any(|i| io.slot(i).is_nan()) {
            return Err(crate::error::invalid_arg(
                "rate-limit numbers must not be NaN",
            ));
        }
        io.key_end = key_end;
        Ok(io)
    }

    fn slot(&self, i: usize) -> f64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.buf[i * 8..i * 8 + 8]);
        f64::from_ne_bytes(b)
    }

    fn set_slot(&mut self, i: usize, v: f64) {
        self.buf[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
    }

    fn key(&self) -> &[u8] {
        &self.buf[HEADER..self.key_end]
    }

    fn write(&mut self, rec: Record) {
        self.set_slot(0, rec.points);
        self.set_slot(1, rec.expire);
    }
}

/// Creates an empty store and returns its id.
#[napi(catch_unwind)]
pub fn rate_limit_store_create() -> crate::error::Result<u32> {
    crate::error::guard(|| Ok(STORES.add(Arc::new(MemoryStore::new()))))
}

/// Frees a store's records; its id is not reused.
#[napi(catch_unwind)]
pub fn rate_limit_store_drop(id: f64) -> crate::error::Result<()> {
    crate::error::guard(|| {
        STORES.remove(id);
        Ok(())
    })
}

/// Consumes `points`; on the first excess over `limit` with `blockMs > 0` the window is
/// extended to `now + blockMs` in the same step.
#[napi(catch_unwind, ts_args_type = "id: number, io: Uint8Array")]
pub fn rate_limit_consume(id: f64, mut io: Uint8ArraySlice) -> crate::error::Result<()> {
    let mut io = Io::new(&mut io)?;
    let (p, d, l, b, now) = (io.slot(0), io.slot(1), io.slot(2), io.slot(3), io.slot(4));
    let rec = with_store(id, |s| s.consume(io.key(), p, d, l, b, now))?;
    io.write(rec);
    Ok(())
}

/// Adds `points`, or overwrites the record when the force slot is non-zero.
#[napi(catch_unwind, ts_args_type = "id: number, io: Uint8Array")]
pub fn rate_limit_upsert(id: f64, mut io: Uint8ArraySlice) -> crate::error::Result<()> {
    let mut io = Io::new(&mut io)?;
    let (p, d, force, now) = (io.slot(0), io.slot(1), io.slot(3) != 0.0, io.slot(4));
    let rec = with_store(id, |s| s.upsert(io.key(), p, d, force, now))?;
    io.write(rec);
    Ok(())
}

/// Writes the live record (at time `now`) and returns true, or returns false.
#[napi(catch_unwind, ts_args_type = "id: number, io: Uint8Array")]
pub fn rate_limit_get(id: f64, mut io: Uint8ArraySlice) -> crate::error::Result<bool> {
    let mut io = Io::new(&mut io)?;
    let now = io.slot(4);
    match with_store(id, |s| s.get(io.key(), now))? {
        Some(rec) => {
            io.write(rec);
            Ok(true)
        }
        None => Ok(false),
    }
}

#[napi(catch_unwind, ts_args_type = "id: number, io: Uint8Array")]
pub fn rate_limit_delete(id: f64, mut io: Uint8ArraySlice) -> crate::error::Result<bool> {
    let io = Io::new(&mut io)?;
    with_store(id, |s| s.delete(io.key()))
}

#[napi(catch_unwind)]
pub fn rate_limit_clear(id: f64) -> crate::error::Result<()> {
    with_store(id, |s| s.clear())
}

#[napi(catch_unwind)]
pub fn rate_limit_size(id: f64) -> crate::error::Result<u32> {
    with_store(id, |s| s.len() as u32)
}
