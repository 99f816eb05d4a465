//! Synchronous binding of the in-memory rate-limit store. Stores are addressed by a numeric
//! id through free functions (a class method call costs several times more than a plain
//! function call here), and results are written into a caller-owned `Float64Array`
//! (`[points, expire]`) instead of building a JS object, so a check is one cheap napi call.
// napi registers these items at load time; a test build of the binding has no such caller.
#![cfg_attr(test, allow(dead_code))]

use alova_core::ratelimit::{MemoryStore, Record};
use napi::bindgen_prelude::Float64ArraySlice;
use std::sync::{Arc, RwLock};

static STORES: RwLock<Vec<Option<Arc<MemoryStore>>>> = RwLock::new(Vec::new());

fn with_store<T>(id: u32, f: impl FnOnce(&MemoryStore) -> T) -> crate::error::Result<T> {
    let stores = STORES.read().unwrap_or_else(|e| e.into_inner());
    match stores.get(id as usize) {
        Some(Some(store)) => Ok(f(store)),
        _ => Err(crate::error::invalid_arg(format!(
            "rate-limit store {id} does not exist"
        ))),
    }
}

/// `io` layout: inputs `[points, durationMs, limit, blockMs | force, now]`, outputs
/// `[points, expire]` written over the first two slots.
fn io_slice<'a>(io: &'a mut Float64ArraySlice) -> crate::error::Result<&'a mut [f64]> {
    // SAFETY: the JS thread is inside this synchronous call, so nothing else touches the
    // buffer while it is read and written.
    let io = unsafe { io.as_mut() };
    if io.len() < 5 {
        return Err(crate::error::invalid_arg(
            "rate-limit io array needs 5 slots",
        ));
    }
    Ok(io)
}

fn write(io: &mut [f64], rec: Record) {
    io[0] = rec.points;
    io[1] = rec.expire;
}

/// Creates an empty store and returns its id.
#[napi]
pub fn rate_limit_store_create() -> u32 {
    let mut stores = STORES.write().unwrap_or_else(|e| e.into_inner());
    stores.push(Some(Arc::new(MemoryStore::new())));
    (stores.len() - 1) as u32
}

/// Frees a store's records; its id is not reused.
#[napi]
pub fn rate_limit_store_drop(id: u32) {
    let mut stores = STORES.write().unwrap_or_else(|e| e.into_inner());
    if let Some(slot) = stores.get_mut(id as usize) {
        *slot = None;
    }
}

/// Consumes `io[0]` points; on the first excess over `io[2]` with `io[3] > 0` the window
/// is extended to `now + io[3]` in the same step.
#[napi(ts_args_type = "id: number, key: string, io: Float64Array")]
pub fn rate_limit_consume(
    id: u32,
    key: String,
    mut io: Float64ArraySlice,
) -> crate::error::Result<()> {
    let io = io_slice(&mut io)?;
    let rec = with_store(id, |s| s.consume(&key, io[0], io[1], io[2], io[3], io[4]))?;
    write(io, rec);
    Ok(())
}

/// Adds `io[0]` points, or overwrites the record when `io[3]` is non-zero.
#[napi(ts_args_type = "id: number, key: string, io: Float64Array")]
pub fn rate_limit_upsert(
    id: u32,
    key: String,
    mut io: Float64ArraySlice,
) -> crate::error::Result<()> {
    let io = io_slice(&mut io)?;
    let rec = with_store(id, |s| s.upsert(&key, io[0], io[1], io[3] != 0.0, io[4]))?;
    write(io, rec);
    Ok(())
}

/// Writes the live record (at time `io[4]`) into `io` and returns true, or returns false.
#[napi(ts_args_type = "id: number, key: string, io: Float64Array")]
pub fn rate_limit_get(
    id: u32,
    key: String,
    mut io: Float64ArraySlice,
) -> crate::error::Result<bool> {
    let io = io_slice(&mut io)?;
    match with_store(id, |s| s.get(&key, io[4]))? {
        Some(rec) => {
            write(io, rec);
            Ok(true)
        }
        None => Ok(false),
    }
}

#[napi]
pub fn rate_limit_delete(id: u32, key: String) -> crate::error::Result<bool> {
    with_store(id, |s| s.delete(&key))
}

#[napi]
pub fn rate_limit_clear(id: u32) -> crate::error::Result<()> {
    with_store(id, |s| s.clear())
}

#[napi]
pub fn rate_limit_size(id: u32) -> crate::error::Result<u32> {
    with_store(id, |s| s.len() as u32)
}
