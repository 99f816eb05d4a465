//! The index behind the default L1 cache. JS keeps the cached values in a `Map` (so a hit
//! never crosses into native code); this index owns everything else about the entries: their
//! LRU order, their sizes and the byte total, their expiry times, and the decision of what to
//! drop. Entries are known by a slot number that JS stores next to each value; the slots the
//! index drops (evicted or expired) are handed back so JS can delete the matching values.
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NIL: u32 = u32::MAX;

/// Limits of one cache. A limit of 0 means "no limit" for that dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: u32,
    pub max_bytes: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub entries: u32,
    pub bytes: u64,
    pub evictions: u64,
    pub expirations: u64,
}

#[derive(Debug, Clone)]
struct Slot {
    prev: u32,
    next: u32,
    bytes: u64,
    /// Expiry as a Unix time in ms; 0 = never.
    expire_at: i64,
    live: bool,
    /// Pinned entries are counted but never chosen for eviction.
    pinned: bool,
}

/// LRU + TTL index over numbered slots.
#[derive(Debug)]
pub struct Index {
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Most recently used end of the LRU list.
    head: u32,
    /// Least recently used end: eviction starts here.
    tail: u32,
    limits: Limits,
    stats: Stats,
    /// Min-heap of (expire_at, slot); stale pairs (slot freed or re-timed) are skipped lazily.
    expiry: BinaryHeap<Reverse<(i64, u32)>>,
    /// Slots dropped by the index since the last `take_dropped`.
    dropped: Vec<u32>,
}

impl Index {
    pub fn new(limits: Limits) -> Self {
        Index {
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            limits,
            stats: Stats::default(),
            expiry: BinaryHeap::new(),
            dropped: Vec::new(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn len(&self) -> usize {
        self.stats.entries as usize
    }

    pub fn is_empty(&self) -> bool {
        self.stats.entries == 0
    }

    /// Adds an entry as the most recently used one and returns its slot. Entries beyond the
    /// limits are evicted; an entry that alone exceeds `max_bytes` is dropped at once instead
    /// of flushing the others.
    pub fn insert(&mut self, bytes: u64, expire_at: i64, pinned: bool) -> u32 {
        let slot = Slot {
            prev: NIL,
            next: NIL,
            bytes,
            expire_at,
            live: true,
            pinned,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = slot;
                id
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        if !pinned {
            self.link_front(id);
        }
        self.stats.entries += 1;
        self.stats.bytes += bytes;
        self.schedule(id, expire_at);
        self.enforce_limits_for(id);
        id
    }

    /// Replaces the size and expiry of a live entry and marks it most recently used.
    pub fn update(&mut self, id: u32, bytes: u64, expire_at: i64) -> bool {
        if !self.is_live(id) {
            return false;
        }
        let slot = &mut self.slots[id as usize];
        self.stats.bytes = self.stats.bytes - slot.bytes + bytes;
        slot.bytes = bytes;
        let retimed = slot.expire_at != expire_at;
        slot.expire_at = expire_at;
        if retimed {
            self.schedule(id, expire_at);
        }
        self.touch(id);
        self.enforce_limits_for(id);
        true
    }

    /// Marks entries as used, in order (the last one becomes the most recent).
    pub fn touch_all(&mut self, ids: &[u32]) {
        for &id in ids {
            self.touch(id);
        }
    }

    pub fn touch(&mut self, id: u32) {
        if self.is_live(id) && !self.slots[id as usize].pinned && self.head != id {
            self.unlink(id);
            self.link_front(id);
        }
    }

    /// Removes an entry at the owner's request (not counted as an eviction).
    pub fn remove(&mut self, id: u32) -> bool {
        if !self.is_live(id) {
            return false;
        }
        self.release(id);
        true
    }

    pub fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.expiry.clear();
        self.dropped.clear();
        self.head = NIL;
        self.tail = NIL;
        self.stats.entries = 0;
        self.stats.bytes = 0;
    }

    /// Drops every entry whose expiry is at or before `now`; returns how many.
    pub fn expire(&mut self, now: i64) -> usize {
        let mut n = 0;
        while let Some(&Reverse((at, id))) = self.expiry.peek() {
            if at > now {
                break;
            }
            self.expiry.pop();
            if self.is_live(id) && self.slots[id as usize].expire_at == at {
                self.release(id);
                self.dropped.push(id);
                self.stats.expirations += 1;
                n += 1;
            }
        }
        n
    }

    /// The earliest expiry among live entries (0 when none expires).
    pub fn next_expiry(&mut self) -> i64 {
        while let Some(&Reverse((at, id))) = self.expiry.peek() {
            if self.is_live(id) && self.slots[id as usize].expire_at == at {
                return at;
            }
            self.expiry.pop();
        }
        0
    }

    /// Slots the index dropped (evicted or expired) since the last call.
    pub fn take_dropped(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.dropped)
    }

    pub fn has_dropped(&self) -> bool {
        !self.dropped.is_empty()
    }

    /// Moves up to `out.len()` dropped slots into `out`; returns how many.
    pub fn drain_dropped(&mut self, out: &mut [u32]) -> usize {
        let n = self.dropped.len().min(out.len());
        let rest = self.dropped.split_off(n);
        out[..n].copy_from_slice(&self.dropped);
        self.dropped = rest;
        n
    }

    fn is_live(&self, id: u32) -> bool {
        self.slots.get(id as usize).is_some_and(|s| s.live)
    }

    fn over_limits(&self) -> bool {
        (self.limits.max_entries > 0 && self.stats.entries > self.limits.max_entries)
            || (self.limits.max_bytes > 0 && self.stats.bytes > self.limits.max_bytes)
    }

    fn too_big(&self, id: u32) -> bool {
        self.limits.max_bytes > 0 && self.slots[id as usize].bytes > self.limits.max_bytes
    }

    /// Brings the totals back under the limits after `id` was added or grown.
    fn enforce_limits_for(&mut self, id: u32) {
        if self.too_big(id) {
            self.release(id);
            self.dropped.push(id);
            self.stats.evictions += 1;
        }
        self.enforce_limits();
    }

    fn enforce_limits(&mut self) {
        while self.over_limits() && self.tail != NIL {
            let id = self.tail;
            self.release(id);
            self.dropped.push(id);
            self.stats.evictions += 1;
        }
    }

    fn schedule(&mut self, id: u32, expire_at: i64) {
        if expire_at > 0 {
            self.expiry.push(Reverse((expire_at, id)));
            // Re-timed entries leave stale pairs behind; rebuild before they dominate.
            if self.expiry.len() > 2 * self.len() + 1024 {
                let live = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.live && s.expire_at > 0);
                self.expiry = live
                    .map(|(i, s)| Reverse((s.expire_at, i as u32)))
                    .collect();
            }
        }
    }

    fn release(&mut self, id: u32) {
        if !self.slots[id as usize].pinned {
            self.unlink(id);
        }
        let slot = &mut self.slots[id as usize];
        slot.live = false;
        self.stats.entries -= 1;
        self.stats.bytes -= slot.bytes;
        self.free.push(id);
    }

    fn link_front(&mut self, id: u32) {
        let old = self.head;
        {
            let s = &mut self.slots[id as usize];
            s.prev = NIL;
            s.next = old;
        }
        if old != NIL {
            self.slots[old as usize].prev = id;
        } else {
            self.tail = id;
        }
        self.head = id;
    }

    fn unlink(&mut self, id: u32) {
        let (prev, next) = {
            let s = &self.slots[id as usize];
            (s.prev, s.next)
        };
        if prev != NIL {
            self.slots[prev as usize].next = next;
        } else {
            self.head = next;
        }
        if next != NIL {
            self.slots[next as usize].prev = prev;
        } else {
            self.tail = prev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(max_entries: u32, max_bytes: u64) -> Index {
        Index::new(Limits {
            max_entries,
            max_bytes,
        })
    }

    #[test]
    fn evicts_least_recently_used_by_count() {
        let mut ix = index(2, 0);
        let a = ix.insert(1, 0, false);
        let b = ix.insert(1, 0, false);
        ix.touch(a);
        let c = ix.insert(1, 0, false);
        assert_eq!(ix.take_dropped(), vec![b]);
        assert_eq!(ix.len(), 2);
        ix.touch_all(&[a]);
        ix.insert(1, 0, false);
        assert_eq!(ix.take_dropped(), vec![c]);
        assert_eq!(ix.stats().evictions, 2);
    }

    #[test]
    fn evicts_by_bytes_and_drops_an_entry_larger_than_the_limit() {
        let mut ix = index(0, 100);
        let a = ix.insert(60, 0, false);
        let b = ix.insert(30, 0, false);
        ix.insert(30, 0, false);
        assert_eq!(ix.take_dropped(), vec![a]);
        assert_eq!(ix.stats().bytes, 60);
        ix.update(b, 40, 0);
        assert!(ix.take_dropped().is_empty());
        assert_eq!(ix.stats().bytes, 70);
        let big = ix.insert(500, 0, false);
        assert_eq!(ix.take_dropped(), vec![big], "the others stay");
        assert_eq!(ix.stats().bytes, 70);
        ix.update(b, 101, 0);
        assert_eq!(ix.take_dropped(), vec![b]);
        assert_eq!(ix.len(), 1);
    }

    #[test]
    fn expires_without_reads_and_skips_retimed_entries() {
        let mut ix = index(0, 0);
        let a = ix.insert(1, 1_000, false);
        let b = ix.insert(1, 2_000, false);
        let c = ix.insert(1, 0, false);
        ix.update(b, 1, 5_000);
        assert_eq!(ix.next_expiry(), 1_000);
        assert_eq!(ix.expire(2_500), 1);
        assert_eq!(ix.take_dropped(), vec![a]);
        assert_eq!(ix.next_expiry(), 5_000);
        assert_eq!(ix.expire(10_000), 1);
        assert_eq!(ix.take_dropped(), vec![b]);
        assert_eq!(ix.next_expiry(), 0);
        assert!(ix.remove(c));
        assert!(ix.is_empty());
        assert_eq!(ix.stats().expirations, 2);
    }

    #[test]
    fn drains_dropped_slots_in_chunks() {
        let mut ix = index(1, 0);
        for _ in 0..5 {
            ix.insert(1, 0, false);
        }
        let mut out = [0u32; 3];
        // Freed slots are reused, so the evicted ones alternate.
        assert_eq!(ix.drain_dropped(&mut out), 3);
        assert_eq!(out, [0, 1, 0]);
        assert_eq!(ix.drain_dropped(&mut out), 1);
        assert_eq!(out[0], 1);
        assert_eq!(ix.drain_dropped(&mut out), 0);
    }

    #[test]
    fn pinned_entries_are_never_evicted() {
        let mut ix = index(1, 0);
        let p = ix.insert(1, 0, true);
        let a = ix.insert(1, 0, false);
        assert_eq!(ix.take_dropped(), vec![a]);
        assert!(ix.remove(p));
    }

    #[test]
    fn freed_slots_are_reused_and_stale_ids_are_ignored() {
        let mut ix = index(0, 0);
        let a = ix.insert(1, 0, false);
        assert!(ix.remove(a));
        assert!(!ix.remove(a));
        assert!(!ix.update(a, 1, 0));
        let b = ix.insert(1, 0, false);
        assert_eq!(a, b);
        ix.touch(999);
        ix.clear();
        assert!(ix.is_empty());
    }

    #[test]
    fn a_million_distinct_inserts_stay_bounded() {
        let mut ix = index(10_000, 0);
        for i in 0..1_000_000u64 {
            ix.insert(100, (i % 7) as i64, false);
            ix.take_dropped();
        }
        assert_eq!(ix.len(), 10_000);
        assert!(ix.slots.len() <= 10_001);
        assert!(ix.expiry.len() <= 2 * 10_000 + 1025);
    }
}
