//! The process-shared cache: copies of a cache kept consistent across processes.
//!
//! - [`hub`]: the cluster primary's hub (Unix socket, one order for all writes, snapshots);
//! - [`client`]: a worker's connection to the hub, reconnecting and resynchronising;
//! - [`redis_sync`]: the same across hosts through Redis pub/sub;
//! - [`replica`]: a process's copy of one scope, which JS reads without a call per read;
//! - [`store`]: the hub's bounded, expiring, per-scope state;
//! - [`protocol`]: the binary frames, and [`json_text`] for the values' JSON;
//! - [`platform`]: what differs by platform, chiefly the shared-memory log through which
//!   workers' writes travel (Linux);
//! - [`files`]: where hubs live on disk, generations, and the ownership checks.
//!
//! Reads never cross a process: each worker keeps its own copy (native replica + JS objects)
//! and checks two counters with plain memory reads: its replica's (snapshots, the hub's
//! stream) and the shared log's commit counter. A worker appends its writes to the shared
//! log synchronously; another worker's next read sees the counter move and applies the new
//! records, with no thread wake-up between the two (socket wake-ups are what bound the tail
//! of a socket relay). The hub reads the log in its order, keeps the state for late joiners
//! and sends the ordered stream over the Unix sockets, which is what every copy converges
//! to; a worker's own records come back not as events but as a mark (how far the hub has
//! applied the log), which confirms them all at once. Without the log (not Linux, hub away,
//! log full) writes go through the socket.
//! ipc-channel is not used (see [`hub`]).

#[cfg(unix)]
pub mod client;
#[cfg(unix)]
pub mod files;
#[cfg(unix)]
mod handoff;
#[cfg(unix)]
pub mod hub;
mod json_text;
mod keyed;
pub mod platform;
pub mod protocol;
pub mod redis_sync;
pub mod replica;
pub mod store;
#[cfg(not(unix))]
mod unsupported;
#[cfg(not(unix))]
pub use unsupported::{client, hub};

pub use client::{ClientOptions, HubClient};
pub use hub::{Hub, HubOptions};
pub use redis_sync::{RedisSync, RedisSyncOptions};
pub use replica::{Drain, Limits, Replica};

/// What a link (a hub client or a Redis synchronizer) tells its owner, JS through a
/// thread-safe callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEvent {
    /// Connected, or connected again.
    Connected,
    /// A snapshot is in the replicas of its scope (their `synced` is set): no one need poll
    /// for it.
    Synced,
}

pub type OnLinkEvent = Box<dyn Fn(LinkEvent) + Send + Sync>;
