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
//! Layout: a 4 KiB header (magic, epoch, capacity, commit, reserve, mutex) then `cap` bytes
//! of records, each a frame as `protocol::encode` writes it, padded to 4 bytes; a record
//! never wraps (a `u32::MAX` marker or fewer than 4 bytes left means "continue at 0").
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{fence, AtomicU64, Ordering};

use crate::{Code, Error, Result};

const MAGIC: u64 = 0x6373_7061_6176_6f6c; // "alovapsc"
const HEADER: usize = 4096;
pub const DEFAULT_CAPACITY: u64 = 16 << 20;

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
}

pub struct Ring {
    base: *mut u8,
    len: usize,
    cap: u64,
}

// SAFETY: the mapping is shared memory accessed through atomics and the process-shared mutex.
unsafe impl Send for Ring {}
unsafe impl Sync for Ring {}

fn os_err(what: &str, path: &Path) -> Error {
    Error::new(
        Code::Psc,
        format!(
            "{what} {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ),
    )
}

fn map(file: &std::fs::File, len: usize, path: &Path) -> Result<*mut u8> {
    use std::os::fd::AsRawFd;
    // SAFETY: a fresh shared mapping of a file we hold open; checked for MAP_FAILED.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(os_err("cannot map", path));
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

    /// Creates a new log at `path` (an old file is unlinked first, so readers still mapping it
    /// are not disturbed), owner-only.
    pub fn create(path: &Path, epoch: u64, cap: u64) -> Result<Ring> {
        let _ = std::fs::remove_file(path);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::new(Code::Psc, format!("cannot create {}: {e}", path.display())))?;
        let len = HEADER + cap as usize;
        file.set_len(len as u64)
            .map_err(|e| Error::new(Code::Psc, format!("cannot size {}: {e}", path.display())))?;
        let base = map(&file, len, path)?;
        let ring = Ring { base, len, cap };
        // SAFETY: we own the fresh mapping; the header is initialised before magic is set.
        unsafe {
            let h = base as *mut Header;
            (*h).epoch = epoch;
            (*h).cap = cap;
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

    /// Maps the log the hub of run `epoch` created.
    pub fn open(path: &Path, epoch: u64) -> Result<Ring> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::new(Code::Psc, format!("cannot open {}: {e}", path.display())))?;
        let len = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
        if len <= HEADER {
            return Err(Error::new(Code::Psc, "shared log too small"));
        }
        let base = map(&file, len, path)?;
        let ring = Ring {
            base,
            len,
            cap: (len - HEADER) as u64,
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

    /// Appends one encoded frame; false if it is too large, the log is full (the hub has not
    /// read it yet) or the lock failed.
    pub fn append(&self, frame: &[u8]) -> bool {
        let need = padded(frame.len());
        if need > self.cap / 4 {
            return false;
        }
        let h = self.header();
        let m = &h.mutex as *const _ as *mut libc::pthread_mutex_t;
        // SAFETY: a process-shared robust mutex initialised by `create`.
        let rc = unsafe { libc::pthread_mutex_lock(m) };
        if rc == libc::EOWNERDEAD {
            // The previous holder died mid-append: its record was never committed.
            h.reserve
                .store(h.commit.load(Ordering::Relaxed), Ordering::Relaxed);
            // SAFETY: we hold the mutex in the owner-dead state.
            unsafe { libc::pthread_mutex_consistent(m) };
        } else if rc != 0 {
            return false;
        }
        let mut start = h.commit.load(Ordering::Relaxed);
        let off = start % self.cap;
        if off + need > self.cap {
            if self.cap - off >= 4 {
                // SAFETY: off + 4 <= cap, inside the data area.
                unsafe { (self.data().add(off as usize) as *mut u32).write_unaligned(u32::MAX) };
            }
            start += self.cap - off;
        }
        if start + need - h.hub_pos.load(Ordering::Acquire) > self.cap {
            // SAFETY: we hold the mutex.
            unsafe { libc::pthread_mutex_unlock(m) };
            return false;
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
        h.commit.store(start + need, Ordering::Release);
        // SAFETY: we hold the mutex.
        unsafe { libc::pthread_mutex_unlock(m) };
        true
    }

    /// Calls `f` with each frame body committed after `*pos`, then moves `*pos` to the end.
    /// Frames possibly overwritten while being read (a lap behind) are skipped.
    pub fn read(&self, pos: &mut u64, mut f: impl FnMut(&[u8])) {
        let h = self.header();
        let end = h.commit.load(Ordering::Acquire);
        let from = *pos;
        *pos = end;
        if from >= end || end - from > self.cap {
            return;
        }
        let mut frames: Vec<Vec<u8>> = Vec::new();
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
                return; // torn: only possible if overwritten meanwhile
            }
            // SAFETY: the frame lies inside the data area (checked above).
            let body = unsafe {
                std::slice::from_raw_parts(self.data().add(off as usize + 4), len as usize)
            };
            frames.push(body.to_vec());
            p += padded(total as usize);
        }
        fence(Ordering::Acquire);
        if h.reserve.load(Ordering::Relaxed) - from > self.cap {
            return; // a writer lapped us while we copied
        }
        for b in &frames {
            f(b);
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

    #[test]
    fn append_read_wrap_and_lap() {
        let dir = std::env::temp_dir().join(format!("alova-ring-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.ring");
        let w = Ring::create(&path, 7, 256).unwrap();
        let r = Ring::open(&path, 7).unwrap();
        assert!(Ring::open(&path, 8).is_err());
        let frame = |n: u8| {
            let mut f = vec![0u8; 4];
            f.extend(std::iter::repeat_n(n, 13));
            f[..4].copy_from_slice(&13u32.to_le_bytes());
            f
        };
        let mut pos = 0;
        let mut seen = Vec::new();
        for n in 0..40u8 {
            assert!(w.append(&frame(n)));
            r.read(&mut pos, |b| seen.push(b[0]));
            w.set_hub_pos(pos);
        }
        // Full until the hub reads: writers do not overwrite unread records.
        let mut n = 0;
        while w.append(&frame(0)) {
            n += 1;
        }
        assert!(n > 5 && n < 20, "{n}");
        w.set_hub_pos(w.commit());
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        // A reader a lap behind skips instead of reading torn frames.
        let mut late = r.commit();
        for n in 0..30u8 {
            w.append(&frame(n));
            w.set_hub_pos(w.commit());
        }
        let mut any = false;
        r.read(&mut late, |_| any = true);
        assert!(!any);
        assert_eq!(late, r.commit());
        assert!(!w.append(&[0u8; 100]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_writer_that_dies_holding_the_lock_does_not_block_the_others() {
        let dir = std::env::temp_dir().join(format!("alova-ring-dead-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.ring");
        let ring = std::sync::Arc::new(Ring::create(&path, 1, 4096).unwrap());
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
        assert!(ring.append(&frame));
        let mut pos = 0;
        let mut got = Vec::new();
        ring.read(&mut pos, |b| got.push(b.to_vec()));
        assert_eq!(got, vec![b"hello".to_vec()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
