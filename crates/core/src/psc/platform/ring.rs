//! A shared-memory log of recent writes: the fast path of propagation between workers.
//!
//! A worker appends each write here synchronously, under a robust process-shared mutex (a
//! writer that dies holding it cannot block the others: the next locker gets EOWNERDEAD and
//! discards the half-written record). Readers follow the log from their JS thread when a
//! read sees its commit counter move (a plain memory read), so a write is visible in another
//! worker without any thread wake-up. The log is only a fast path: the hub's ordered stream
//! remains the truth that every copy converges to (see `Replica::apply_provisional`), so a
//! reader that falls a whole lap behind simply skips ahead.
//!
//! The log lives in an anonymous memory file sealed against shrinking and growing: it has
//! no path, so no other process can truncate it under a mapping (which would kill every
//! process touching it with SIGBUS), and clients get its descriptor from the hub itself (see
//! `handoff`). A client checks the seals and the size before mapping. A peer of the same user
//! can still write into it, as it could send anything over the socket: every field read here
//! is bounds-checked, the lock is taken with a timeout, and records are checked like frames.
//!
//! Layout: a 4 KiB header (magic, epoch, capacity, commit, reserve, hub position, mutex, read
//! due, extras; from byte 2048 the key slots) then `cap` bytes of records, each a frame as `protocol::encode` writes it, padded to 4
//! bytes; a record never wraps (a `u32::MAX` marker or fewer than 4 bytes left means "continue
//! at 0").
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use crate::{Code, Error, Result};

const MAGIC: u64 = 0x6373_7061_6176_6f6c; // "alovapsc"
const HEADER: usize = 4096;
pub const DEFAULT_CAPACITY: u64 = 16 << 20;
/// The seals a log must carry before anyone maps it.
const SEALS: libc::c_int = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL;
/// How long an append waits for the lock before the write goes through the socket instead.
const LOCK_WAIT_NS: i64 = 20_000_000;

#[repr(C)]
struct Header {
    magic: AtomicU64,
    epoch: u64,
    cap: u64,
    commit: AtomicU64,
    reserve: AtomicU64,
    /// How far the hub has read: writers never overwrite what it has not read.
    hub_pos: AtomicU64,
    mutex: libc::pthread_mutex_t,
    /// When the hub's scheduled read of the log is due (CLOCK_MONOTONIC ns, shared by every
    /// process), or 0: until then appends need not nudge it. (Zero in a log made by a hub
    /// that never schedules one: writers then always nudge.)
    read_due: AtomicU64,
    /// What records may hold beyond the event frame, as the hub that made the log reads them
    /// (zero in a log made by a hub that reads no more: writers then add nothing).
    extras: AtomicU64,
}

/// [`Header::extras`]: a set's expiry follows its event (see `protocol::Expiry`).
const EXTRA_EXPIRY: u64 = 1;
/// [`Header::extras`]: writers keep the key slots.
const EXTRA_KEY_SLOTS: u64 = 2;

/// Key slots: for each hash of a key, the low 32 bits of the log's position after the last
/// record that wrote such a key (a clear writes them all). A reader that read the log up to
/// some position knows a key is unchanged since then if its slot is not past it, without
/// reading the records; keys sharing a slot only cost a needless read. `key_slot` is the
/// hash, and JS computes the same one.
pub const KEY_SLOTS: usize = 512;
const SLOTS_AT: usize = 2048;

const _: () = assert!(std::mem::size_of::<Header>() <= SLOTS_AT);
const _: () = assert!(SLOTS_AT + KEY_SLOTS * 4 <= HEADER);

/// The slot of `key`: 32-bit FNV-1a over its UTF-16 code units (what JS strings are made of),
/// top bits.
pub fn key_slot(key: &str) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    let mut add = |u: u32| h = (h ^ u).wrapping_mul(0x0100_0193);
    if key.is_ascii() {
        key.bytes().for_each(|b| add(b as u32));
    } else {
        key.encode_utf16().for_each(|u| add(u as u32));
    }
    (h >> (32 - KEY_SLOTS.trailing_zeros())) as usize
}

/// A scheduled read this late is not coming: writers nudge again.
const READ_LATE_NS: u64 = 50_000_000;
/// No scheduled read is this far ahead.
const READ_AHEAD_NS: u64 = 1_000_000_000;

fn monotonic_ns() -> u64 {
    // SAFETY: clock_gettime fills the timespec.
    let t = unsafe {
        let mut t: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t);
        t
    };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

pub struct Ring {
    base: *mut u8,
    len: usize,
    cap: u64,
    fd: OwnedFd,
}

// SAFETY: the mapping is shared memory accessed through atomics and the process-shared mutex.
unsafe impl Send for Ring {}
unsafe impl Sync for Ring {}

fn os_err(what: &str) -> Error {
    Error::new(
        Code::Psc,
        format!("{what}: {}", std::io::Error::last_os_error()),
    )
}

fn map(fd: &OwnedFd, len: usize) -> Result<*mut u8> {
    // SAFETY: a fresh shared mapping of a descriptor we hold; checked for MAP_FAILED.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd.as_raw_fd(),
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(os_err("cannot map the shared log"));
    }
    Ok(p as *mut u8)
}

const fn padded(n: usize) -> u64 {
    ((n + 3) & !3) as u64
}

impl Ring {
    fn header(&self) -> &Header {
        // SAFETY: the mapping starts with a Header and lives as long as self.
        unsafe { &*(self.base as *const Header) }
    }

    fn data(&self) -> *mut u8 {
        // SAFETY: the data area follows the header inside the mapping.
        unsafe { self.base.add(HEADER) }
    }

    /// Creates a new log in a sealed anonymous memory file.
    pub fn create(epoch: u64, cap: u64) -> Result<Ring> {
        let len = HEADER + cap as usize;
        // SAFETY: plain system calls on a descriptor we own from here on.
        let fd = unsafe {
            let raw = libc::memfd_create(
                c"alova-psc-log".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            );
            if raw < 0 {
                return Err(os_err("cannot create the shared log"));
            }
            let fd = OwnedFd::from_raw_fd(raw);
            if libc::ftruncate(raw, len as libc::off_t) != 0 {
                return Err(os_err("cannot size the shared log"));
            }
            // Its memory from the start (zeroed here, once): otherwise the first pass over the
            // log has the writer allocate and zero a page every few dozen appends, inside the
            // append. Best effort: without it, pages come on first touch.
            libc::fallocate(raw, 0, 0, len as libc::off_t);
            if libc::fcntl(raw, libc::F_ADD_SEALS, SEALS) != 0 {
                return Err(os_err("cannot seal the shared log"));
            }
            fd
        };
        let base = map(&fd, len)?;
        let ring = Ring { base, len, cap, fd };
        // SAFETY: we own the fresh mapping; the header is initialised before magic is set.
        unsafe {
            let h = base as *mut Header;
            (*h).epoch = epoch;
            (*h).cap = cap;
            (*h).extras = AtomicU64::new(EXTRA_EXPIRY | EXTRA_KEY_SLOTS);
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            libc::pthread_mutexattr_init(&mut attr);
            libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
            libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST);
            let rc = libc::pthread_mutex_init(&mut (*h).mutex, &attr);
            libc::pthread_mutexattr_destroy(&mut attr);
            if rc != 0 {
                return Err(Error::new(
                    Code::Psc,
                    format!("cannot initialise the log lock: {rc}"),
                ));
            }
        }
        ring.header().magic.store(MAGIC, Ordering::Release);
        Ok(ring)
    }

    /// Whether a record may carry a set's expiry: the hub that made the log reads it.
    pub fn carries_expiry(&self) -> bool {
        self.header().extras.load(Ordering::Relaxed) & EXTRA_EXPIRY != 0
    }

    /// The key slots (address and size in bytes), for JS to read, if the hub that made the
    /// log has its writers keep them.
    pub fn slots_ptr(&self) -> Option<(*mut u8, usize)> {
        let kept = self.header().extras.load(Ordering::Relaxed) & EXTRA_KEY_SLOTS != 0;
        // SAFETY: the slots lie inside the header page.
        kept.then(|| (unsafe { self.base.add(SLOTS_AT) }, KEY_SLOTS * 4))
    }

    fn slot(&self, i: usize) -> &AtomicU32 {
        // SAFETY: i < KEY_SLOTS, inside the header page; aligned (SLOTS_AT is a multiple of 4).
        unsafe { &*(self.base.add(SLOTS_AT + i * 4) as *const AtomicU32) }
    }

    /// The log as a hub that reads no extras made it.
    #[cfg(test)]
    pub(crate) fn as_made_by_an_older_hub(&self) {
        self.header().extras.store(0, Ordering::Relaxed);
    }

    /// The descriptor to hand to clients.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Maps the log the hub of run `epoch` handed over, once its seals and size are checked.
    pub fn from_fd(fd: OwnedFd, epoch: u64) -> Result<Ring> {
        // SAFETY: fcntl and fstat on a descriptor we own.
        let (seals, size) = unsafe {
            let seals = libc::fcntl(fd.as_raw_fd(), libc::F_GET_SEALS);
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(fd.as_raw_fd(), &mut st) != 0 {
                return Err(os_err("cannot inspect the shared log"));
            }
            (seals, st.st_size as u64)
        };
        if seals < 0 || seals & SEALS != SEALS {
            return Err(Error::new(Code::Psc, "shared log is not sealed"));
        }
        if size <= HEADER as u64 + 64 || size > (1 << 32) {
            return Err(Error::new(Code::Psc, "shared log has a bad size"));
        }
        let len = size as usize;
        let base = map(&fd, len)?;
        let ring = Ring {
            base,
            len,
            cap: (len - HEADER) as u64,
            fd,
        };
        let h = ring.header();
        if h.magic.load(Ordering::Acquire) != MAGIC || h.epoch != epoch || h.cap != ring.cap {
            return Err(Error::new(
                Code::Psc,
                "shared log belongs to another hub run",
            ));
        }
        Ok(ring)
    }

    /// Address of the commit counter's low 32 bits, for JS to watch.
    pub fn commit_ptr(&self) -> *mut u8 {
        self.header().commit.as_ptr() as *mut u8
    }

    pub fn commit(&self) -> u64 {
        self.header().commit.load(Ordering::Acquire)
    }

    /// Records that the hub has read up to `pos`.
    pub fn set_hub_pos(&self, pos: u64) {
        self.header().hub_pos.store(pos, Ordering::Release);
    }

    /// Whether the hub has records it has not read beyond a quarter of the log.
    pub fn backlog_large(&self) -> bool {
        let h = self.header();
        let unread = h
            .commit
            .load(Ordering::Acquire)
            .wrapping_sub(h.hub_pos.load(Ordering::Acquire));
        unread > self.cap / 4
    }

    /// Called by the hub: its read of the log is due `after` from now, or (None) no read is
    /// scheduled. Cleared before the read, so that an append the read misses nudges (the
    /// fences pair with `needs_nudge`'s: at least one of the two sides sees the other's store).
    pub fn set_read_due(&self, after: Option<std::time::Duration>) {
        let due = after.map_or(0, |d| monotonic_ns().saturating_add(d.as_nanos() as u64));
        self.header().read_due.store(due, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// Called after an append: whether the hub must be told, i.e. unless a read is due soon
    /// (a time long past or far ahead is not the hub's: a stalled hub, or a peer's scribble)
    /// and the backlog is small enough to wait for it.
    pub fn needs_nudge(&self) -> bool {
        fence(Ordering::SeqCst);
        let due = self.header().read_due.load(Ordering::Relaxed);
        let now = monotonic_ns();
        let soon =
            due != 0 && due.saturating_add(READ_LATE_NS) >= now && due <= now + READ_AHEAD_NS;
        !soon || self.backlog_large()
    }

    /// Appends one encoded frame that writes `key` (None: every key, a clear) and returns the
    /// log's position after it; None if it is too large, the log is full (the hub has not
    /// read it yet) or the lock failed.
    pub fn append(&self, frame: &[u8], key: Option<&str>) -> Option<u64> {
        let need = padded(frame.len());
        if need > self.cap / 4 {
            return None;
        }
        let h = self.header();
        let m = &h.mutex as *const _ as *mut libc::pthread_mutex_t;
        // Bounded wait: a peer that holds the lock forever (or wrote garbage over it) sends
        // this write through the socket instead of stopping this thread.
        // SAFETY: the mutex was initialised by `create`; clock_gettime fills the timespec.
        let rc = unsafe {
            // Free (the common case): taken without reading the clock.
            match libc::pthread_mutex_trylock(m) {
                libc::EBUSY => {
                    let mut t: libc::timespec = std::mem::zeroed();
                    libc::clock_gettime(libc::CLOCK_REALTIME, &mut t);
                    t.tv_nsec += LOCK_WAIT_NS as libc::c_long;
                    if t.tv_nsec >= 1_000_000_000 {
                        t.tv_sec += 1;
                        t.tv_nsec -= 1_000_000_000;
                    }
                    libc::pthread_mutex_timedlock(m, &t)
                }
                rc => rc,
            }
        };
        if rc == libc::EOWNERDEAD {
            // The previous holder died mid-append: its record was never committed.
            h.reserve
                .store(h.commit.load(Ordering::Relaxed), Ordering::Relaxed);
            // SAFETY: we hold the mutex in the owner-dead state.
            unsafe { libc::pthread_mutex_consistent(m) };
        } else if rc != 0 {
            return None;
        }
        let mut start = h.commit.load(Ordering::Relaxed);
        if start > u64::MAX >> 2 {
            // Scribbled over: every writer uses the socket from now on.
            // SAFETY: we hold the mutex.
            unsafe { libc::pthread_mutex_unlock(m) };
            return None;
        }
        let off = start % self.cap;
        if off + need > self.cap {
            if self.cap - off >= 4 {
                // SAFETY: off + 4 <= cap, inside the data area.
                unsafe { (self.data().add(off as usize) as *mut u32).write_unaligned(u32::MAX) };
            }
            start += self.cap - off;
        }
        // Wrapping: the counters are shared memory a peer may have scribbled on.
        let unread = (start + need).wrapping_sub(h.hub_pos.load(Ordering::Acquire));
        if unread > self.cap {
            // SAFETY: we hold the mutex.
            unsafe { libc::pthread_mutex_unlock(m) };
            return None;
        }
        h.reserve.store(start + need, Ordering::Relaxed);
        fence(Ordering::Release);
        // SAFETY: start % cap + need <= cap, inside the data area.
        unsafe {
            std::ptr::copy_nonoverlapping(
                frame.as_ptr(),
                self.data().add((start % self.cap) as usize),
                frame.len(),
            );
        }
        // Before the commit: a reader that sees the record also sees its slot.
        let end = (start + need) as u32;
        match key {
            Some(k) => self.slot(key_slot(k)).store(end, Ordering::Relaxed),
            None => (0..KEY_SLOTS).for_each(|i| self.slot(i).store(end, Ordering::Relaxed)),
        }
        h.commit.store(start + need, Ordering::Release);
        // SAFETY: we hold the mutex.
        unsafe { libc::pthread_mutex_unlock(m) };
        Some(start + need)
    }

    /// Parses each frame body committed after `*pos` (with the log's position after it) into
    /// what `out` keeps, in place, then moves `*pos` to the end. If a writer lapped this
    /// reader meanwhile, what was read is dropped from `out` (the frames may be torn).
    pub fn read<T>(
        &self,
        pos: &mut u64,
        out: &mut Vec<T>,
        mut parse: impl FnMut(u64, &[u8]) -> Option<T>,
    ) {
        let h = self.header();
        let end = h.commit.load(Ordering::Acquire);
        if end > u64::MAX >> 2 {
            return; // scribbled over: writers use the socket now
        }
        let from = *pos;
        *pos = end;
        if from >= end || end - from > self.cap {
            return;
        }
        let kept = out.len();
        let mut p = from;
        while p < end {
            let off = p % self.cap;
            if self.cap - off < 4 {
                p += self.cap - off;
                continue;
            }
            // SAFETY: off + 4 <= cap.
            let len = unsafe { (self.data().add(off as usize) as *const u32).read_unaligned() };
            if len == u32::MAX {
                p += self.cap - off;
                continue;
            }
            let total = 4 + len as u64;
            if off + total > self.cap {
                out.truncate(kept);
                return; // torn: only possible if overwritten meanwhile
            }
            // SAFETY: the frame lies inside the data area (checked above).
            let body = unsafe {
                std::slice::from_raw_parts(self.data().add(off as usize + 4), len as usize)
            };
            p += padded(total as usize);
            out.extend(parse(p, body));
        }
        fence(Ordering::Acquire);
        if h.reserve.load(Ordering::Relaxed).wrapping_sub(from) > self.cap {
            out.truncate(kept); // a writer lapped us while we read
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping once.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every frame after `*pos`, copied, with the position after it.
    fn read_all(r: &Ring, pos: &mut u64) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        r.read(pos, &mut out, |end, b| Some((end, b.to_vec())));
        out
    }

    #[test]
    fn a_new_log_has_its_memory_from_the_start() {
        let r = Ring::create(1, 1 << 20).unwrap();
        // SAFETY: fstat on a descriptor the ring owns.
        let st = unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            assert_eq!(libc::fstat(r.fd(), &mut st), 0);
            st
        };
        assert!(
            st.st_blocks as u64 * 512 >= st.st_size as u64,
            "{} blocks",
            st.st_blocks
        );
    }

    #[test]
    fn append_read_wrap_and_lap() {
        let w = Ring::create(7, 256).unwrap();
        let r = Ring::from_fd(dup(&w), 7).unwrap();
        assert!(Ring::from_fd(dup(&w), 8).is_err());
        let frame = |n: u8| {
            let mut f = vec![0u8; 4];
            f.extend(std::iter::repeat_n(n, 13));
            f[..4].copy_from_slice(&13u32.to_le_bytes());
            f
        };
        let mut pos = 0;
        let mut seen = Vec::new();
        for n in 0..40u8 {
            let end = w.append(&frame(n), Some("k")).unwrap();
            let [(at, b)] = &read_all(&r, &mut pos)[..] else {
                panic!("one record")
            };
            assert_eq!(*at, end, "each record comes with the position after it");
            seen.push(b[0]);
            w.set_hub_pos(pos);
        }
        // Full until the hub reads: writers do not overwrite unread records.
        let mut n = 0;
        while w.append(&frame(0), Some("k")).is_some() {
            n += 1;
        }
        assert!(n > 5 && n < 20, "{n}");
        w.set_hub_pos(w.commit());
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        // A reader a lap behind skips instead of reading torn frames.
        let mut late = r.commit();
        for n in 0..30u8 {
            w.append(&frame(n), Some("k"));
            w.set_hub_pos(w.commit());
        }
        assert!(read_all(&r, &mut late).is_empty());
        assert_eq!(late, r.commit());
        assert!(w.append(&[0u8; 100], Some("k")).is_none());
    }

    #[test]
    fn each_record_moves_the_slot_of_its_key_and_a_clear_moves_all() {
        let w = Ring::create(1, 4096).unwrap();
        let r = Ring::from_fd(dup(&w), 1).unwrap();
        assert!(r.slots_ptr().is_some());
        let slots = |r: &Ring| {
            (0..KEY_SLOTS)
                .map(|i| r.slot(i).load(Ordering::Relaxed))
                .collect::<Vec<_>>()
        };
        let frame = [4u8, 0, 0, 0, 1, 2, 3, 4];
        let a = w.append(&frame, Some("alpha")).unwrap();
        let b = w.append(&frame, Some("é-ü")).unwrap();
        let seen = slots(&r);
        assert_eq!(seen[key_slot("alpha")], a as u32);
        assert_eq!(seen[key_slot("é-ü")], b as u32);
        assert_eq!(seen.iter().filter(|s| **s != 0).count(), 2);
        let c = w.append(&frame, None).unwrap();
        assert!(slots(&r).iter().all(|s| *s == c as u32));
        // The hash JS computes over UTF-16 code units (see lib/psc/adapter.js).
        assert_eq!(key_slot(""), 0x811c_9dc5 >> 23);
        assert_eq!(
            key_slot("w1"),
            ((((0x811c_9dc5u32 ^ 0x77).wrapping_mul(0x0100_0193)) ^ 0x31).wrapping_mul(0x0100_0193)
                >> 23) as usize
        );
        assert_eq!(
            key_slot("😀"),
            ((((0x811c_9dc5u32 ^ 0xd83d).wrapping_mul(0x0100_0193)) ^ 0xde00)
                .wrapping_mul(0x0100_0193)
                >> 23) as usize
        );
        // A log whose writers do not keep slots offers none.
        w.header().extras.store(EXTRA_EXPIRY, Ordering::Relaxed);
        assert!(r.slots_ptr().is_none());
    }

    #[test]
    fn appends_nudge_unless_a_read_is_due_or_the_backlog_is_large() {
        let hub = Ring::create(3, 1024).unwrap();
        let w = Ring::from_fd(dup(&hub), 3).unwrap();
        let frame = [
            16u8, 0, 0, 0, b'x', b'x', b'x', b'x', b'x', b'x', b'x', b'x', b'x', b'x', b'x', b'x',
            b'x', b'x', b'x', b'x',
        ];
        let ms = std::time::Duration::from_millis;
        assert!(w.append(&frame, Some("k")).is_some());
        assert!(w.needs_nudge(), "no read scheduled");
        hub.set_read_due(Some(ms(500)));
        assert!(w.append(&frame, Some("k")).is_some());
        assert!(!w.needs_nudge(), "the hub reads soon anyway");
        // A time no hub would schedule (a peer's scribble) is not trusted.
        hub.set_read_due(Some(ms(5000)));
        assert!(w.needs_nudge());
        w.header().read_due.store(1, Ordering::Relaxed);
        assert!(w.needs_nudge(), "long past");
        hub.set_read_due(Some(ms(500)));
        // Past a quarter of the log unread, the hub is told at once.
        while !w.backlog_large() {
            assert!(w.append(&frame, Some("k")).is_some());
        }
        assert!(hub.backlog_large());
        assert!(w.needs_nudge());
        hub.set_hub_pos(hub.commit());
        assert!(!w.needs_nudge());
        hub.set_read_due(None);
        assert!(w.needs_nudge());
    }

    fn dup(r: &Ring) -> OwnedFd {
        // SAFETY: dup of a descriptor we hold.
        unsafe { OwnedFd::from_raw_fd(libc::dup(r.fd())) }
    }

    #[test]
    fn the_log_cannot_shrink_and_unsealed_files_are_refused() {
        let w = Ring::create(1, 4096).unwrap();
        // SAFETY: plain system calls on descriptors we own.
        unsafe {
            assert_ne!(libc::ftruncate(w.fd(), 0), 0, "sealed against shrinking");
            let plain = libc::memfd_create(c"plain".as_ptr(), libc::MFD_CLOEXEC);
            assert!(plain >= 0);
            assert_eq!(libc::ftruncate(plain, 8192), 0);
            assert!(Ring::from_fd(OwnedFd::from_raw_fd(plain), 1).is_err());
        }
    }

    #[test]
    fn scribbled_counters_and_records_neither_crash_nor_block() {
        let w = Ring::create(1, 4096).unwrap();
        let r = Ring::from_fd(dup(&w), 1).unwrap();
        let h = w.header();
        for v in [u64::MAX, u64::MAX - 3, 1 << 62, 12345] {
            h.commit.store(v, Ordering::Relaxed);
            h.reserve.store(v ^ 7, Ordering::Relaxed);
            h.hub_pos.store(v.wrapping_mul(3), Ordering::Relaxed);
            let mut pos = 0;
            read_all(&r, &mut pos);
            let mut pos = v.wrapping_sub(100);
            read_all(&r, &mut pos);
            let _ = w.append(&[4, 0, 0, 0, 1, 2, 3, 4], Some("k"));
        }
        // Garbage lengths in the data area are skipped, never read past the mapping.
        h.commit.store(0, Ordering::Relaxed);
        h.hub_pos.store(0, Ordering::Relaxed);
        // SAFETY: inside the data area.
        unsafe { std::ptr::write_bytes(w.data(), 0x7f, 4096) };
        h.commit.store(4000, Ordering::Relaxed);
        h.reserve.store(4000, Ordering::Relaxed);
        let mut pos = 0;
        assert!(read_all(&r, &mut pos).iter().all(|(_, b)| b.len() <= 4096));
        // A lock held by a live peer: the append gives up instead of waiting forever.
        let m = &h.mutex as *const _ as *mut libc::pthread_mutex_t;
        // SAFETY: the process-shared mutex of the log.
        assert_eq!(unsafe { libc::pthread_mutex_lock(m) }, 0);
        let t = std::time::Instant::now();
        let r2 = std::sync::Arc::new(r);
        let r3 = r2.clone();
        let res = std::thread::spawn(move || r3.append(&[4, 0, 0, 0, 1, 2, 3, 4], Some("k")))
            .join()
            .unwrap();
        assert!(res.is_none());
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        // SAFETY: we hold it.
        unsafe { libc::pthread_mutex_unlock(m) };
    }

    #[test]
    fn a_writer_that_dies_holding_the_lock_does_not_block_the_others() {
        let ring = std::sync::Arc::new(Ring::create(1, 4096).unwrap());
        let r = ring.clone();
        std::thread::spawn(move || {
            let m = &r.header().mutex as *const _ as *mut libc::pthread_mutex_t;
            // SAFETY: locks the shared mutex and ends the thread holding it.
            assert_eq!(unsafe { libc::pthread_mutex_lock(m) }, 0);
            // A half-written record: reserved, never committed.
            r.header().reserve.store(64, Ordering::Relaxed);
        })
        .join()
        .unwrap();
        let mut frame = 5u32.to_le_bytes().to_vec();
        frame.extend_from_slice(b"hello");
        assert!(ring.append(&frame, Some("k")).is_some());
        let mut pos = 0;
        let got: Vec<Vec<u8>> = read_all(&ring, &mut pos)
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        assert_eq!(got, vec![b"hello".to_vec()]);
    }
}
