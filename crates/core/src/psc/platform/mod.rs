//! What the shared cache does differently per platform, behind one interface, so that the
//! rest of `psc` reads the same everywhere:
//! - `Ring`, the shared-memory log of the fast path. Linux has it (memfd seals, robust
//!   process-shared mutexes); elsewhere `Ring` is a type with no values whose constructors
//!   always fail, so every `Option<Ring>` is `None` and writes go through the socket.
//! - `RECV_FLAGS`, how a received descriptor becomes close-on-exec: atomically where the
//!   kernel offers it (`MSG_CMSG_CLOEXEC`), else by the `FD_CLOEXEC` the receiver sets.
//! - `released`, how memory handed over to JS goes back to the system.
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

/// Notes that `bytes` of JSON were freed here after being handed to JS (which keeps the only
/// copy). glibc keeps freed memory in its arenas (the transport thread allocated it, the JS
/// thread frees it), so a process that read a large cache would keep both sizes resident:
/// every 32 MiB handed over, the free pages are given back.
pub fn released(bytes: usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const TRIM_EVERY: usize = 32 << 20;
    static SINCE_TRIM: AtomicUsize = AtomicUsize::new(0);
    if SINCE_TRIM.fetch_add(bytes, Ordering::Relaxed) + bytes < TRIM_EVERY {
        return;
    }
    SINCE_TRIM.store(0, Ordering::Relaxed);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
