//! What the shared cache does differently per platform, behind one interface, so that the
//! rest of `psc` reads the same everywhere:
//! - `Ring`, the shared-memory log of the fast path. Linux has it (memfd seals, robust
//!   process-shared mutexes); elsewhere `Ring` is a type with no values whose constructors
//!   always fail, so every `Option<Ring>` is `None` and writes go through the socket.
//! - `RECV_FLAGS`, how a received descriptor becomes close-on-exec: atomically where the
//!   kernel offers it (`MSG_CMSG_CLOEXEC`), else by the `FD_CLOEXEC` the receiver sets.
#[cfg(target_os = "linux")]
mod ring;
#[cfg(not(target_os = "linux"))]
#[path = "no_ring.rs"]
mod ring;

pub use ring::{Ring, DEFAULT_CAPACITY};

/// Flags for `recvmsg` when a descriptor may arrive.
#[cfg(target_os = "linux")]
pub const RECV_FLAGS: libc::c_int = libc::MSG_CMSG_CLOEXEC;
#[cfg(not(target_os = "linux"))]
pub const RECV_FLAGS: libc::c_int = 0;
