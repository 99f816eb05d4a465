//! Dedicated I/O threads. Each engine (HTTP, Redis) runs on its own single-threaded tokio
//! runtime: on a small machine one event-loop thread costs less CPU per operation than
//! work-stealing workers waking each other, and a round trip then wakes one thread and the
//! JS thread only. The threads never keep the process alive: Node exits when JS is done.
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle};

/// The runtime stored in `slot`, started on a thread named `name` on first use.
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
