//! The process-shared cache: copies of a cache kept consistent across processes.
//!
//! - [`hub`]: the cluster primary's hub (Unix socket, one order for all writes, snapshots);
//! - [`client`]: a worker's connection to the hub, reconnecting and resynchronising;
//! - [`redis_sync`]: the same across hosts through Redis pub/sub;
//! - [`replica`]: a process's copy of one scope, which JS reads without a call per read;
//! - [`store`]: the hub's bounded, expiring, per-scope state;
//! - [`protocol`]: the binary frames.
//!
//! Reads never cross a process: each worker keeps its own copy (native replica + JS objects)
//! and checks a shared counter with a plain memory read. Writes travel over Unix sockets
//! through the hub, which decides their order; a write is visible in another worker after
//! three thread wake-ups (writer's client thread, hub, reader's client thread), which is
//! what bounds propagation latency here (about 0.1 ms median on a loaded 2-core VM). A
//! shared-memory log written under a robust lock would remove those wake-ups; it is not
//! built yet. ipc-channel is not used (see [`hub`]).
pub mod client;
pub mod hub;
pub mod protocol;
pub mod redis_sync;
pub mod replica;
pub mod store;

pub use client::{ClientOptions, HubClient};
pub use hub::{Hub, HubOptions};
pub use redis_sync::{RedisSync, RedisSyncOptions};
pub use replica::{Drain, Limits, Replica};

/// Runs `fut` to completion on a current-thread tokio runtime in a new named thread.
pub(crate) fn spawn_thread(
    name: &str,
    fut: impl std::future::Future<Output = ()> + Send + 'static,
) -> crate::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(fut);
            }
        })
        .map(|_| ())
        .map_err(|e| {
            crate::Error::new(
                crate::Code::Internal,
                format!("cannot start thread {name}: {e}"),
            )
        })
}
