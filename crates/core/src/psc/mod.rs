//! The process-shared cache: copies of a cache kept consistent across processes.
//!
//! - [`hub`]: the cluster primary's hub (Unix socket, one order for all writes, snapshots);
//! - [`client`]: a worker's connection to the hub, reconnecting and resynchronising;
//! - [`redis_sync`]: the same across hosts through Redis pub/sub;
//! - [`replica`]: a process's copy of one scope, which JS reads without a call per read;
//! - [`store`]: the hub's bounded, expiring, per-scope state;
//! - [`protocol`]: the binary frames.
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
