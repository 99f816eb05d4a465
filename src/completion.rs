//! How results of native work reach JS, for every engine whose calls return at once and finish
//! later (HTTP requests, Redis pipelines). Finished results wait in a queue; the first one
//! wakes JS through a callback, and JS collects everything finished meanwhile with one `take`
//! call: one wake-up of the JS thread per batch, not one promise per operation.
//!
//! The same place keeps the event loop alive exactly while work is pending: the callback is
//! weak (an idle client never holds the process), and is made strong from the first `begin`
//! until `take` has collected the last pending result.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use alova_core::{Code, Error};
use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};

use crate::error::{internal, to_js, Result};

type Wake = ThreadsafeFunction<(), (), (), Status, false, true>;

pub struct Completions<T> {
    queue: Mutex<Vec<T>>,
    wake: Wake,
    /// Operations begun and not yet taken; the callback is strong while this is above 0.
    /// Changed on the JS thread only (`begin`, `take`).
    pending: AtomicUsize,
}

impl<T> Completions<T> {
    /// `on_ready()` is called when finished results can be collected with `take`.
    pub fn new(on_ready: Function<'_, (), ()>) -> Result<Self> {
        let wake = on_ready
            .build_threadsafe_function::<()>()
            .weak::<true>()
            .callee_handled::<false>()
            .build()
            .map_err(internal)?;
        Ok(Completions {
            queue: Mutex::new(Vec::new()),
            wake,
            pending: AtomicUsize::new(0),
        })
    }

    /// An operation starts (JS thread): its result will come through `push`.
    pub fn begin(&self, env: &Env) -> Result<()> {
        if self.pending.fetch_add(1, Ordering::Relaxed) == 0 {
            self.keep_alive(env, true)?;
        }
        Ok(())
    }

    /// An operation finished (any thread).
    pub fn push(&self, item: T) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let first = q.is_empty();
        q.push(item);
        drop(q);
        if first {
            self.wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// Everything finished since the last call (JS thread); lets the loop go once nothing is
    /// pending any more.
    pub fn take(&self, env: &Env) -> Result<Vec<T>> {
        let items = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()));
        let n = items.len().min(self.pending.load(Ordering::Relaxed));
        if n > 0 && self.pending.fetch_sub(n, Ordering::Relaxed) == n {
            self.keep_alive(env, false)?;
        }
        Ok(items)
    }

    fn keep_alive(&self, env: &Env, on: bool) -> Result<()> {
        let raw = self.wake.handle.get_raw();
        // SAFETY: on the JS thread, with the live handle of this threadsafe function.
        let status = unsafe {
            if on {
                napi::sys::napi_ref_threadsafe_function(env.raw(), raw)
            } else {
                napi::sys::napi_unref_threadsafe_function(env.raw(), raw)
            }
        };
        if status != napi::sys::Status::napi_ok {
            return Err(to_js(Error::new(
                Code::Internal,
                format!("threadsafe function ref: status {status}"),
            )));
        }
        Ok(())
    }
}
