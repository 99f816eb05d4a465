//! Threads and tokio runtimes, decided here for every engine. Each engine runs on its own
//! single-threaded tokio runtime in a dedicated thread: on a small machine one event-loop
//! thread costs less CPU per operation than work-stealing workers waking each other, and a
//! round trip then wakes one thread and the JS thread only. The threads never keep the
//! process alive: Node exits when JS is done.
use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};

use crate::{Code, Error, Result};

/// The shared runtime stored in `slot` (HTTP, Redis), started on a thread named `name` on
/// first use; work is spawned onto it through the handle.
pub fn dedicated(slot: &'static OnceLock<Handle>, name: &'static str) -> &'static Handle {
    slot.get_or_init(|| {
        let rt = Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the {name} runtime: {e}"));
        let handle = rt.handle().clone();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .unwrap_or_else(|e| panic!("cannot start the {name} thread: {e}"));
        handle
    })
}

/// Runs `fut` to completion on a runtime of its own in a new thread named `name` (a PSC hub,
/// link or Redis sync: each owns its loop and ends with it).
pub fn spawn_thread(name: &str, fut: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if let Ok(rt) = Builder::new_current_thread().enable_all().build() {
                rt.block_on(fut);
            }
        })
        .map(|_| ())
        .map_err(|e| Error::new(Code::Internal, format!("cannot start thread {name}: {e}")))
}
