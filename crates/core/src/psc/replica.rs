//! A process's copy of one scope, kept by a background thread and read by JS.
//!
//! The transport thread applies remote writes here and bumps `counter`; the JS side keeps its
//! own object copy and, on a read, compares the counter with the value it last saw (a plain
//! memory read through an ArrayBuffer over `counter`). Only when it changed does JS call
//! [`Replica::drain`], which hands over the keys changed since (coalesced per key, so a worker
//! that never reads holds at most one pending change per key). No remote write wakes the
//! worker's event loop.
//!
//! Convergence: every copy applies writes in the one order decided upstream (the hub or
//! Redis). A process's own writes are applied locally at once and counted as in flight; while
//! a key has writes in flight, remote writes to it are skipped, because the own write comes
//! later in that order and overwrites them. The same holds for an own `clear` in flight.
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::keyed::KeyedMap;
use super::platform::Ring;
use super::protocol::{encode_event, event_len, now_ms, Expiry, Scope, Write, WriteOp};
use crate::{Code, Error, Result};

/// Where a replica's own writes go (the hub connection or the Redis publisher), in call order.
pub trait Outbox: Send + Sync {
    fn send(&self, write: Write);
    /// Tells the upstream that the shared log has new records.
    fn nudge(&self) {}
    /// Offers entries to an upstream that restarted empty (set where it has none).
    fn offer(&self, _scope: Scope, _entries: Vec<(String, String)>) {}
}

/// Key and JSON pairs.
pub type Entries = Vec<(String, String)>;

/// An outbox that queues `make(id, write)` on a transport thread's channel.
pub(crate) struct ChannelOutbox<C> {
    pub id: u64,
    pub tx: tokio::sync::mpsc::UnboundedSender<C>,
    pub make: fn(u64, Write) -> C,
    pub nudge: Option<fn() -> C>,
    /// Set while a nudge is queued and not yet taken by the transport thread (which clears
    /// it before telling the upstream): appends meanwhile need no nudge of their own.
    pub nudge_queued: Arc<std::sync::atomic::AtomicBool>,
    pub offer: Option<fn(Scope, Entries) -> C>,
}

impl<C: Send> Outbox for ChannelOutbox<C> {
    fn send(&self, write: Write) {
        let _ = self.tx.send((self.make)(self.id, write));
    }
    fn nudge(&self) {
        if let Some(n) = self.nudge {
            if !self.nudge_queued.swap(true, Ordering::AcqRel) {
                let _ = self.tx.send(n());
            }
        }
    }
    fn offer(&self, scope: Scope, entries: Vec<(String, String)>) {
        if let Some(o) = self.offer {
            let _ = self.tx.send(o(scope, entries));
        }
    }
}

/// A transport's replicas with the id their own writes carry.
pub(crate) type Replicas = Arc<Mutex<Vec<(u64, Arc<Replica>)>>>;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Applies `write` to each of `replicas` of its scope (the last one takes it, the others a
/// copy); `own(id, replica)`: whether it is the echo of that replica's write.
pub(crate) fn apply_to_scope(
    replicas: &Replicas,
    write: Write,
    expiry: Expiry,
    own: impl Fn(u64, &Replica) -> bool,
) {
    let rs = lock(replicas);
    let mut left = rs.iter().filter(|(_, r)| *r.scope() == write.scope).count();
    for (id, r) in rs.iter() {
        if *r.scope() != write.scope {
            continue;
        }
        let own = own(*id, r);
        left -= 1;
        if left == 0 {
            return r.apply(write, expiry, own);
        }
        r.apply(write.clone(), expiry, own);
    }
}

/// When a transport thread should next drop expired entries: at `next` (ms since the epoch;
/// never without one), at most once a second, so that an idle process never wakes up.
pub(crate) fn sweep_deadline(
    next: Option<f64>,
    last: tokio::time::Instant,
) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    let Some(t) = next else {
        return now + std::time::Duration::from_secs(86_400 * 365);
    };
    let wait =
        std::time::Duration::from_millis((t - now_ms()).clamp(0.0, 86_400e3 * 365.0) as u64 + 1);
    (now + wait).max(last + std::time::Duration::from_secs(1))
}

/// The earliest expiry among `replicas`.
pub(crate) fn next_expiry(replicas: &Replicas) -> Option<f64> {
    lock(replicas)
        .iter()
        .filter_map(|(_, r)| r.next_expiry())
        .min_by(f64::total_cmp)
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Entries kept per scope; beyond it an entry is evicted.
    pub max_entries: usize,
    /// Largest JSON value accepted by `set`.
    pub max_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_value_bytes: super::protocol::DEFAULT_MAX_FRAME - 1024,
        }
    }
}

/// A value's JSON, or `None` once handed to JS (see [`Replica::take`]): the reader's parsed
/// copy is then the only one in the process.
struct Entry {
    value: Option<String>,
    len: usize,
    expires: Option<f64>,
    /// Held here and never named to the reader (see [`Replica::drain_lazily_with`]).
    unlisted: bool,
}

impl Entry {
    fn new(value: String, expiry: Expiry) -> Self {
        let mut e = Entry::held(&value, expiry);
        e.value = Some(value);
        e
    }
    /// The entry of a value the reader holds: only its size and expiry stay here.
    fn held(text: &str, expiry: Expiry) -> Self {
        Entry {
            len: text.len(),
            value: None,
            expires: expiry.of(text),
            unlisted: false,
        }
    }
    fn held_by_reader(&self) -> bool {
        self.value.is_none()
    }
    fn live(&self, now: f64) -> bool {
        self.expires.is_none_or(|t| t > now)
    }
}

/// Records read by one catch-up whose room is kept for the next.
const INCOMING_KEPT: usize = 1024;

/// An own write appended to the shared log: the log's position after it, its `seq`, and its
/// key (None: a clear).
struct Logged {
    end: u64,
    seq: u64,
    key: Option<String>,
}

#[derive(Default)]
struct State {
    map: KeyedMap<Entry>,
    inflight: HashMap<String, u32>,
    clear_inflight: u32,
    dirty: HashSet<String>,
    full: bool,
    seq: u64,
    /// Per writer, the last write the upstream order delivered: a fast-path copy of an
    /// older write is stale.
    confirmed: HashMap<u64, u64>,
    /// Fast-path writes applied ahead of the upstream order and not yet confirmed by it:
    /// upstream writes to those keys come earlier in the order and are skipped.
    provisional: HashMap<String, (u64, u64)>,
    provisional_clear: Option<(u64, u64)>,
    ring: Option<(Arc<Ring>, u64)>,
    /// The connection whose id this copy's records in the shared log carry: the hub confirms
    /// them to it with a mark instead of echoing each one.
    conn: u64,
    /// Another copy of this scope shares the connection and needs these records' echo: they
    /// carry no connection.
    scope_shared: bool,
    /// Own writes in the shared log not yet confirmed, in order.
    logged: VecDeque<Logged>,
    /// Own writes sent upstream directly and not yet echoed.
    socket_inflight: u32,
    /// Room for the records read from the shared log by one catch-up.
    incoming: Vec<(Write, Expiry)>,
    /// The upstream restarted without this copy's entries held by the reader: they are kept
    /// through its next snapshot (`reoffer`), and offered when the reader hands their JSON
    /// back (`offer_wanted`).
    reoffer: bool,
    offer_wanted: bool,
}

/// What changed since the last drain. With `full`, `changes` is the whole content and the
/// reader replaces its copy; otherwise each key is set (`Some`) or removed (`None`).
#[derive(Debug, Default, PartialEq)]
pub struct Drain {
    pub full: bool,
    pub changes: Vec<(String, Option<String>)>,
}

/// What JS reads through one external ArrayBuffer, two `u32`s: the change counter, and how
/// many entries the reader was not told about (it asks for those on a miss).
#[repr(C)]
struct Counters {
    changes: AtomicU32,
    unlisted: AtomicU32,
}

pub struct Replica {
    counters: Counters,
    /// The largest frame the upstream accepts: a write that would not fit is refused at the
    /// call, never sent (a peer closes the connection on an oversized frame).
    frame_limit: AtomicUsize,
    /// The earliest expiry of an entry (f64 bits; positive floats order as their bits), or
    /// infinity: the transport thread sleeps until then.
    soonest: AtomicU64,
    ring_gen: AtomicU32,
    /// Set once the upstream's state is in (its first snapshot applied).
    synced: std::sync::atomic::AtomicBool,
    id: u64,
    scope: Scope,
    state: Mutex<State>,
    outbox: Arc<dyn Outbox>,
    limits: Limits,
}

impl Replica {
    /// `id` identifies this replica's writes everywhere (random, non-zero).
    pub fn new(scope: Scope, outbox: Arc<dyn Outbox>, limits: Limits, id: u64) -> Self {
        Replica {
            counters: Counters {
                changes: AtomicU32::new(0),
                unlisted: AtomicU32::new(0),
            },
            frame_limit: AtomicUsize::new(super::protocol::DEFAULT_MAX_FRAME),
            soonest: AtomicU64::new(f64::INFINITY.to_bits()),
            ring_gen: AtomicU32::new(0),
            synced: Default::default(),
            id,
            scope,
            state: Mutex::new(State::default()),
            outbox,
            limits,
        }
    }

    /// The earliest time an entry expires, if any does.
    pub fn next_expiry(&self) -> Option<f64> {
        let t = f64::from_bits(self.soonest.load(Ordering::Acquire));
        t.is_finite().then_some(t)
    }

    /// A new entry, its expiry noted for the sweep.
    fn entry(&self, value: String, expiry: Expiry) -> Entry {
        self.track(Entry::new(value, expiry))
    }

    /// Keeps the sweep's deadline no later than `e`'s expiry.
    fn track(&self, e: Entry) -> Entry {
        if let Some(t) = e.expires.filter(|t| *t > 0.0) {
            self.soonest.fetch_min(t.to_bits(), Ordering::AcqRel);
        }
        e
    }

    pub fn set_frame_limit(&self, bytes: usize) {
        self.frame_limit.store(bytes, Ordering::Release);
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Uses (or stops using) the shared log, its records carrying connection `conn`; bumps
    /// `ring_gen` so that JS re-reads its counter. Own records not yet confirmed stay so: the
    /// hub confirms them later with a mark (on any connection) or an echo.
    pub fn set_ring(&self, ring: Option<Arc<Ring>>, conn: u64) {
        let mut st = self.lock();
        st.conn = conn;
        st.ring = ring.map(|r| {
            let pos = r.commit();
            (r, pos)
        });
        drop(st);
        self.ring_gen.fetch_add(1, Ordering::Release);
        self.bump();
    }

    /// Another copy of this scope shares the connection: from now on this copy's records in
    /// the shared log are echoed to the connection (which hands them to that copy).
    pub fn share_scope(&self) {
        self.lock().scope_shared = true;
    }

    /// The shared log in use, if any.
    pub fn ring(&self) -> Option<Arc<Ring>> {
        self.lock().ring.as_ref().map(|(r, _)| r.clone())
    }

    /// Whether the upstream's state is in: its first snapshot was applied (or, upstream
    /// without one, `mark_synced` was called).
    pub fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    pub fn mark_synced(&self) {
        self.synced.store(true, Ordering::Release);
    }

    pub fn ring_gen(&self) -> u32 {
        self.ring_gen.load(Ordering::Acquire)
    }

    /// Sends an own write upstream, and to the shared log when there is one (with the
    /// value's `expiry`, which the copies reading it there need not read again).
    fn send(&self, st: &mut State, op: WriteOp, expiry: Expiry) {
        st.seq += 1;
        let write = Write {
            scope: self.scope.clone(),
            origin: self.id,
            seq: st.seq,
            op,
        };
        // Through the shared log when there is room: it is then durable even if this process
        // dies at once, and the hub reads it in the log's order. Not while a write sent
        // through the socket awaits its echo: the hub could read this one first.
        let origin = if st.scope_shared { 0 } else { st.conn };
        let appended = match &st.ring {
            Some((ring, _)) if st.socket_inflight == 0 => {
                // A log made by an older hub takes the event alone.
                let expiry = if ring.carries_expiry() {
                    expiry
                } else {
                    Expiry::Unread
                };
                ring.append(&encode_event(origin, &write, expiry), write.op.key())
                    .map(|end| (end, ring.needs_nudge()))
            }
            _ => None,
        };
        if let Some((end, nudge)) = appended {
            st.logged.push_back(Logged {
                end,
                seq: write.seq,
                key: write.op.into_key(),
            });
            if nudge {
                self.outbox.nudge();
            }
            return;
        }
        st.socket_inflight += 1;
        self.outbox.send(write);
    }

    /// The change counter, followed by the count of unlisted entries (8 bytes), that JS reads
    /// through an external ArrayBuffer. Stable while `self` lives.
    pub fn counter_ptr(&self) -> *mut u32 {
        self.counters.changes.as_ptr()
    }

    pub fn counter(&self) -> u32 {
        self.counters.changes.load(Ordering::Acquire)
    }

    /// Entries the reader was never told about (see [`Replica::drain_lazily_with`]).
    pub fn unlisted(&self) -> u32 {
        self.counters.unlisted.load(Ordering::Acquire)
    }

    /// An entry left the map (or was replaced by an own write, which the reader holds).
    fn gone(&self, e: Option<Entry>) {
        if let Some(mut e) = e {
            self.name(&mut e);
        }
    }

    /// Marks every entry whose JSON is here as unlisted, and counts them.
    fn unlist_all(&self, st: &mut State) {
        let mut n = 0;
        for e in st.map.values_mut() {
            e.unlisted = e.value.is_some();
            n += e.unlisted as u32;
        }
        self.counters.unlisted.store(n, Ordering::Release);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn bump(&self) {
        self.counters.changes.fetch_add(1, Ordering::Release);
    }

    fn mark(&self, st: &mut State, key: String) {
        if st.full {
            return;
        }
        st.dirty.insert(key);
        // Bounded: past this a full reload is cheaper than remembering keys.
        if st.dirty.len() > self.limits.max_entries {
            st.dirty.clear();
            st.full = true;
        }
    }

    /// Keeps the map within its bound after inserting `keep`.
    fn evict(&self, st: &mut State, keep: &str) {
        while st.map.len() > self.limits.max_entries {
            let Some(k) = st.map.keys().find(|k| *k != keep).map(str::to_owned) else {
                break;
            };
            self.gone(st.map.remove(&k));
            self.mark(st, k);
            self.bump();
        }
    }

    /// A local write: applied here at once (the caller updates its JS copy itself), then sent.
    pub fn set(&self, key: String, value: String) -> Result<()> {
        self.write(key, value, false, Expiry::Unread)
    }

    /// A local write whose value the caller keeps (parsed): only its size is kept here.
    /// `expiry`: the value's, if the caller read it from the value it holds.
    pub fn set_held(&self, key: String, value: String, expiry: Expiry) -> Result<()> {
        self.write(key, value, true, expiry)
    }

    fn write(&self, key: String, value: String, held: bool, expiry: Expiry) -> Result<()> {
        if value.len() > self.limits.max_value_bytes {
            return Err(Error::new(
                Code::ValueTooLarge,
                format!(
                    "shared cache value for `{key}` is {} bytes, above the limit of {}",
                    value.len(),
                    self.limits.max_value_bytes
                ),
            ));
        }
        let op = WriteOp::Set { key, value };
        let frame = event_len(&self.scope, &op);
        let limit = self.frame_limit.load(Ordering::Acquire);
        let WriteOp::Set { key, value } = op else {
            unreachable!()
        };
        if frame > limit {
            return Err(Error::new(
                Code::ValueTooLarge,
                format!(
                    "shared cache entry `{}` would make a frame of {frame} bytes (key {} + value {} + framing), above the limit of {limit}",
                    key.chars().take(64).collect::<String>(),
                    key.len(),
                    value.len()
                ),
            ));
        }
        let mut st = self.lock();
        *st.inflight.entry(key.clone()).or_default() += 1;
        // A value the reader holds is not copied here, only measured.
        let e = if held {
            self.track(Entry::held(&value, expiry))
        } else {
            self.entry(value.clone(), expiry)
        };
        let expiry = Expiry::Read(e.expires);
        self.gone(st.map.insert(&key, e));
        self.evict(&mut st, &key);
        self.send(&mut st, WriteOp::Set { key, value }, expiry);
        Ok(())
    }

    pub fn remove(&self, key: String) {
        let mut st = self.lock();
        let op = WriteOp::Remove { key };
        // No entry can exist under a key too long to send: nothing to tell the others.
        if event_len(&self.scope, &op) > self.frame_limit.load(Ordering::Acquire) {
            return;
        }
        let WriteOp::Remove { key } = op else {
            unreachable!()
        };
        *st.inflight.entry(key.clone()).or_default() += 1;
        self.gone(st.map.remove(&key));
        self.send(&mut st, WriteOp::Remove { key }, Expiry::Unread);
    }

    pub fn clear(&self) {
        let mut st = self.lock();
        st.clear_inflight += 1;
        st.map.clear();
        self.counters.unlisted.store(0, Ordering::Release);
        st.dirty.clear();
        self.send(&mut st, WriteOp::Clear, Expiry::Unread);
    }

    /// Applies a write in the upstream order (a set's `expiry`, if carried). `own` marks the
    /// echo of this replica's write.
    pub fn apply(&self, write: Write, expiry: Expiry, own: bool) {
        let mut st = self.lock();
        let applied =
            !own && Self::take_applied_ahead(&mut st, write.origin, write.seq, write.op.key());
        Self::reached(&mut st, write.origin, write.seq);
        if applied {
            return;
        }
        if !st.provisional.is_empty() || st.provisional_clear.is_some() {
            let State {
                confirmed,
                provisional,
                provisional_clear,
                ..
            } = &mut *st;
            let done = |(o, s): (u64, u64)| confirmed.get(&o).is_some_and(|c| *c >= s);
            let ahead = match &write.op {
                WriteOp::Set { key, .. } | WriteOp::Remove { key } => match provisional.get(key) {
                    Some(p) if done(*p) => {
                        provisional.remove(key);
                        false
                    }
                    Some(_) => true,
                    None => false,
                },
                WriteOp::Clear => {
                    provisional.retain(|_, p| !done(*p));
                    false
                }
            };
            if (ahead || provisional_clear.is_some()) && !own {
                return;
            }
        }
        if own {
            Self::confirm_own(&mut st, &write);
        } else if self.apply_locked(&mut st, write.op, expiry) {
            drop(st);
            self.bump();
        }
    }

    /// The upstream order reached write `seq` of replica `writer` (0: the hub's own): older
    /// writes of it are confirmed, and so is a clear of it applied ahead.
    fn reached(st: &mut State, writer: u64, seq: u64) {
        if writer == 0 {
            return;
        }
        let c = st.confirmed.entry(writer).or_default();
        *c = (*c).max(seq);
        if st
            .provisional_clear
            .is_some_and(|(o, s)| o == writer && s <= *c)
        {
            st.provisional_clear = None;
        }
    }

    /// Takes the upstream's copy of another replica's write to `key` that this copy applied
    /// from the shared log, from the write's head alone (nothing changes: the value is
    /// already here, or with the reader). False when it is not that: then the whole write is
    /// to be [applied](Replica::apply).
    ///
    /// A write the reader has not read from the log yet is most likely there: the log is read
    /// now instead. What that changes moves no counter: the log's key slots show the reader
    /// which keys changed (only a log with slots is read here).
    pub fn settle_applied(&self, writer: u64, seq: u64, key: &str) -> bool {
        if writer == self.id {
            return false;
        }
        let mut st = self.lock();
        let mut settled = Self::take_applied_ahead(&mut st, writer, seq, Some(key));
        if !settled
            && st
                .ring
                .as_ref()
                .is_some_and(|(r, _)| r.slots_ptr().is_some())
        {
            self.catch_up(&mut st);
            settled = Self::take_applied_ahead(&mut st, writer, seq, Some(key));
        }
        if settled {
            Self::reached(&mut st, writer, seq);
        }
        settled
    }

    /// Whether the write to `key` (None: the clear) this copy applied ahead from the shared
    /// log is write `seq` of `writer`; if so it is no longer ahead, and the upstream's copy of
    /// it changes nothing (a value the reader took stays with it; a clear applied again would
    /// drop the writes read from the log after it).
    fn take_applied_ahead(st: &mut State, writer: u64, seq: u64, key: Option<&str>) -> bool {
        let mark = Some(&(writer, seq));
        match key {
            Some(key) => st.provisional.get(key) == mark && st.provisional.remove(key).is_some(),
            None => st.provisional_clear.as_ref() == mark && st.provisional_clear.take().is_some(),
        }
    }

    /// Applies another replica's write read from the shared log, ahead of the upstream order
    /// (which later delivers it again, in its place, so every copy still converges).
    fn apply_provisional(&self, st: &mut State, write: Write, expiry: Expiry) {
        if write.origin == 0 || write.origin == self.id || write.scope != self.scope {
            return;
        }
        if st
            .confirmed
            .get(&write.origin)
            .is_some_and(|s| *s >= write.seq)
        {
            return;
        }
        let mark = (write.origin, write.seq);
        match &write.op {
            WriteOp::Set { key, .. } | WriteOp::Remove { key } => {
                // Own writes in flight make `apply_locked` skip it, yet it may come after them
                // in the order: left to the upstream stream, which delivers it in its place
                // (marked here, its replay would be taken for a write already applied).
                if st.clear_inflight > 0 || st.inflight.contains_key(key) {
                    return;
                }
                st.provisional.insert(key.clone(), mark);
            }
            WriteOp::Clear => {
                st.provisional.clear();
                st.provisional_clear = Some(mark);
            }
        }
        self.apply_locked(st, write.op, expiry);
    }

    /// Catches up with the shared log (called before each drain, on the reader's thread).
    fn catch_up(&self, st: &mut State) {
        let Some((ring, mut pos)) = st.ring.take() else {
            return;
        };
        // Values are not validated on this fast path: a reader parses only what it reads (and
        // treats what does not parse as absent); drains are checked.
        let mut writes = std::mem::take(&mut st.incoming);
        ring.read(
            &mut pos,
            &mut writes,
            |_, body| match super::protocol::decode(body) {
                Ok(super::protocol::Frame::Event { write, expiry, .. }) => Some((write, expiry)),
                _ => None,
            },
        );
        for (write, expiry) in writes.drain(..) {
            self.apply_provisional(st, write, expiry);
        }
        // Kept for the next catch-up unless a burst made it large.
        if writes.capacity() <= INCOMING_KEPT {
            st.incoming = writes;
        }
        st.ring = Some((ring, pos));
    }

    /// The echo of an own write. It also confirms the own records of the shared log written
    /// before it (the hub reads the log before each socket write, and in its order): those
    /// whose connection ended before their mark came.
    fn confirm_own(st: &mut State, write: &Write) {
        if Self::confirm_logged_while(st, |l| l.seq <= write.seq) != Some(write.seq) {
            // Sent through the socket (seq 0: re-sent by the transport, never counted).
            if write.seq != 0 {
                st.socket_inflight = st.socket_inflight.saturating_sub(1);
            }
            Self::unflight(st, write.op.key());
        }
    }

    /// The hub has applied the shared log up to `pos`: own records before it are in.
    pub fn confirm_logged(&self, pos: u64) {
        Self::confirm_logged_while(&mut self.lock(), |l| l.end <= pos);
    }

    /// Confirms the own records of the shared log, oldest first, while `done`; returns the
    /// `seq` of the last one.
    fn confirm_logged_while(st: &mut State, done: impl Fn(&Logged) -> bool) -> Option<u64> {
        let mut last = None;
        while st.logged.front().is_some_and(&done) {
            let l = st.logged.pop_front().expect("checked");
            last = Some(l.seq);
            Self::unflight(st, l.key.as_deref());
        }
        last
    }

    /// An own write to `key` (None: a clear) reached its place in the upstream order: it is no
    /// longer in flight (the content already has it).
    fn unflight(st: &mut State, key: Option<&str>) {
        match key {
            Some(key) => {
                if let Some(n) = st.inflight.get_mut(key) {
                    *n -= 1;
                    if *n == 0 {
                        st.inflight.remove(key);
                    }
                }
            }
            None => st.clear_inflight = st.clear_inflight.saturating_sub(1),
        }
    }

    /// Applies another replica's write; returns whether the content changed.
    fn apply_locked(&self, st: &mut State, op: WriteOp, expiry: Expiry) -> bool {
        if st.clear_inflight > 0 {
            return false;
        }
        match op {
            WriteOp::Set { key, value } => {
                if st.inflight.contains_key(&key) {
                    return false;
                }
                match st.map.get_mut(&key) {
                    Some(old) if old.value.as_ref() == Some(&value) => return false,
                    Some(old) => {
                        // Still unlisted until a drain names the key: a miss read meanwhile
                        // takes the new value rather than finding nothing.
                        let unlisted = old.unlisted;
                        *old = self.entry(value, expiry);
                        old.unlisted = unlisted;
                    }
                    None => {
                        st.map.insert(&key, self.entry(value, expiry));
                        self.evict(st, &key);
                    }
                }
                self.mark(st, key);
            }
            WriteOp::Remove { key } => {
                if st.inflight.contains_key(&key) {
                    return false;
                }
                let old = st.map.remove(&key);
                if old.is_none() {
                    return false;
                }
                self.gone(old);
                self.mark(st, key);
            }
            WriteOp::Clear => {
                let State { map, inflight, .. } = st;
                map.retain(|k, _| inflight.contains_key(k));
                // What is left are own writes, which the reader holds.
                self.counters.unlisted.store(0, Ordering::Release);
                st.dirty.clear();
                st.full = true;
            }
        }
        true
    }

    /// Replaces the content with the upstream snapshot's `len` entries (key, JSON and expiry),
    /// keeping keys with own writes in flight.
    pub fn apply_snapshot<K: AsRef<str>, V: Into<String>>(
        &self,
        len: usize,
        entries: impl IntoIterator<Item = (K, V, Expiry)>,
    ) {
        self.replace_with(len, entries);
        // Only now: a reader that sees `synced` finds the entries and the moved counter.
        self.mark_synced();
    }

    fn replace_with<K: AsRef<str>, V: Into<String>>(
        &self,
        len: usize,
        entries: impl IntoIterator<Item = (K, V, Expiry)>,
    ) {
        let mut st = self.lock();
        st.provisional.clear();
        st.provisional_clear = None;
        if st.clear_inflight > 0 {
            return;
        }
        let keep_held = std::mem::take(&mut st.reoffer);
        let State { map, inflight, .. } = &mut *st;
        map.retain(|k, e| inflight.contains_key(k) || (keep_held && e.held_by_reader()));
        map.reserve(len.saturating_sub(map.len()));
        for (k, v, expiry) in entries {
            let k = k.as_ref();
            if !inflight.contains_key(k) {
                map.insert(k, self.entry(v.into(), expiry));
            }
        }
        // Until the reader's next (full) drain, a miss finds the snapshot's values here.
        self.unlist_all(&mut st);
        st.dirty.clear();
        st.full = true;
        drop(st);
        self.bump();
    }

    /// Forgets everything (the upstream may have changed unseen), own writes in flight too.
    pub fn reset(&self) {
        let mut st = self.lock();
        *st = State {
            full: true,
            ..State::default()
        };
        self.counters.unlisted.store(0, Ordering::Release);
        drop(st);
        self.bump();
    }

    /// Forgets own writes in flight whose echo will never come (they were dropped unsent).
    pub fn forget_inflight(&self) {
        let mut st = self.lock();
        st.inflight.clear();
        st.clear_inflight = 0;
        st.logged.clear();
        st.socket_inflight = 0;
    }

    /// Live entries without own writes in flight: offered to a hub that restarted empty.
    /// Those whose JSON the reader holds are offered once it hands them back
    /// ([`Replica::offer_held`]); until then `wants_offer` is true.
    pub fn offer(&self) -> Vec<(String, String)> {
        let mut st = self.lock();
        let now = now_ms();
        let st = &mut *st;
        let mut held = false;
        let out = st
            .map
            .iter()
            .filter(|(k, e)| e.live(now) && !st.inflight.contains_key(*k))
            .filter_map(|(k, e)| {
                held |= e.held_by_reader();
                Some((k.to_owned(), e.value.clone()?))
            })
            .collect();
        st.reoffer |= held;
        st.offer_wanted |= held;
        out
    }

    /// Whether the reader should hand back the JSON of the entries it holds (see `offer`).
    pub fn wants_offer(&self) -> bool {
        self.lock().offer_wanted
    }

    /// The reader's JSON for the entries it holds: those still held (unchanged since) are
    /// offered upstream. Ends `wants_offer`.
    pub fn offer_held(&self, entries: Vec<(String, String)>) {
        let mut st = self.lock();
        st.offer_wanted = false;
        let now = now_ms();
        let entries: Vec<(String, String)> = entries
            .into_iter()
            .filter(|(k, _)| {
                st.map
                    .get(k)
                    .is_some_and(|e| e.held_by_reader() && e.live(now))
                    && !st.inflight.contains_key(k)
            })
            .collect();
        drop(st);
        if !entries.is_empty() {
            self.outbox.offer(self.scope.clone(), entries);
        }
    }

    /// Drops expired entries so memory does not wait for a read.
    pub fn sweep(&self) {
        let now = now_ms();
        let mut st = self.lock();
        let expired: Vec<String> = st
            .map
            .iter()
            .filter(|(_, e)| !e.live(now))
            .map(|(k, _)| k.to_owned())
            .collect();
        let soonest = st
            .map
            .values()
            .filter_map(|e| e.expires.filter(|t| *t > now))
            .fold(f64::INFINITY, f64::min);
        self.soonest.store(soonest.to_bits(), Ordering::Release);
        if expired.is_empty() {
            return;
        }
        for k in expired {
            self.gone(st.map.remove(&k));
            self.mark(&mut st, k);
        }
        drop(st);
        self.bump();
    }

    /// Visits the changes since the last drain without copying them: `full` first, then each
    /// key with what it is now: its JSON, held by the reader (unchanged since it took it; only
    /// in a full drain), or removed. The binding writes JS's forms from here.
    pub fn drain_with(&self, full: impl FnMut(bool), mut change: impl FnMut(&str, Change<'_>)) {
        self.drain_inner(true, full, |k, c| {
            change(k, c);
            false
        })
    }

    /// [`Replica::drain_with`] for a reader that asks for an absent key's value while
    /// [`Replica::unlisted`] is not zero: a full drain names only the keys the reader holds;
    /// every other entry stays here, unlisted, until the reader takes it or a drain names it.
    /// (A late worker's snapshot of many entries is then not handed over key by key.)
    ///
    /// `change` returns whether the reader takes a changed value now (as [`Replica::take`]
    /// would, without a call per key); only a drain that is not full hands values over.
    pub fn drain_lazily_with(
        &self,
        full: impl FnMut(bool),
        change: impl FnMut(&str, Change<'_>) -> bool,
    ) {
        self.drain_inner(false, full, change)
    }

    fn drain_inner(
        &self,
        list_all: bool,
        mut full: impl FnMut(bool),
        mut change: impl FnMut(&str, Change<'_>) -> bool,
    ) {
        let mut st = self.lock();
        self.catch_up(&mut st);
        let now = now_ms();
        fn state(e: Option<&Entry>, now: f64) -> Change<'_> {
            match e.filter(|e| e.live(now)) {
                None => Change::Removed,
                Some(Entry { value: None, .. }) => Change::Held,
                Some(Entry { value: Some(v), .. }) => Change::Set(v),
            }
        }
        if std::mem::take(&mut st.full) {
            st.dirty.clear();
            full(true);
            if list_all {
                for (k, e) in st.map.iter().filter(|(_, e)| e.live(now)) {
                    change(k, state(Some(e), now));
                }
                return;
            }
            self.unlist_all(&mut st);
            for (k, e) in st.map.iter().filter(|(_, e)| e.live(now)) {
                if e.value.is_none() {
                    change(k, Change::Held);
                }
            }
            return;
        }
        full(false);
        let State { map, dirty, .. } = &mut *st;
        let mut handed = 0;
        // Drained in place: the set keeps its room for the next changes.
        for k in dirty.drain() {
            let mut e = map.get_mut(&k);
            // Named to the reader from now on.
            if let Some(e) = e.as_mut() {
                self.name(e);
            }
            if change(&k, state(e.as_deref(), now)) {
                handed += e.and_then(|e| self.hand_over(e)).map_or(0, |v| v.len());
            }
        }
        drop(st);
        super::platform::released(handed);
    }

    /// The reader knows `e`'s key from now on.
    fn name(&self, e: &mut Entry) {
        if std::mem::take(&mut e.unlisted) {
            self.counters.unlisted.fetch_sub(1, Ordering::Release);
        }
    }

    /// The reader keeps the value from now on: only its size and expiry stay here.
    fn hand_over(&self, e: &mut Entry) -> Option<String> {
        self.name(e);
        e.value.take()
    }

    /// The changes since the last drain (see [`Drain`]); for a reader that takes nothing.
    pub fn drain(&self) -> Drain {
        let mut d = Drain::default();
        self.drain_with(
            |f| d.full = f,
            |k, c| {
                d.changes
                    .push((k.to_string(), c.json().map(str::to_string)))
            },
        );
        d
    }

    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// The live keys the reader was never told about; from now on it knows them.
    pub fn list_unlisted(&self) -> Vec<String> {
        let now = now_ms();
        let mut st = self.lock();
        let mut keys = Vec::new();
        for (k, e) in st.map.iter_mut() {
            if std::mem::take(&mut e.unlisted) && e.live(now) {
                keys.push(k.to_owned());
            }
        }
        self.counters.unlisted.store(0, Ordering::Release);
        keys
    }

    /// Bytes of the keys and JSON values of this copy (held here or by the reader), summed
    /// when asked (for stats, not per write).
    pub fn bytes(&self) -> usize {
        self.lock().map.iter().map(|(k, e)| k.len() + e.len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The current live value of `key` (`None` too if the reader took it).
    pub fn get(&self, key: &str) -> Option<String> {
        let now = now_ms();
        self.lock()
            .map
            .get(key)
            .filter(|e| e.live(now))
            .and_then(|e| e.value.clone())
    }

    /// Hands the JSON of `key` to the reader, which keeps it (parsed) from now on: this copy
    /// keeps only its size and expiry until the key changes again.
    pub fn take(&self, key: &str) -> Option<String> {
        self.take_if(key, |_| true)
    }

    /// [`Replica::take`] if the JSON passes `ok` (else it stays here).
    pub fn take_if(&self, key: &str, ok: impl FnOnce(&str) -> bool) -> Option<String> {
        let now = now_ms();
        let v = self
            .lock()
            .map
            .get_mut(key)
            .filter(|e| e.live(now) && e.value.as_deref().is_some_and(ok))
            .and_then(|e| self.hand_over(e));
        if let Some(v) = &v {
            super::platform::released(v.len());
        }
        v
    }
}

/// What a key is at a drain (see [`Replica::drain_with`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change<'a> {
    Set(&'a str),
    /// Unchanged since the reader took its JSON.
    Held,
    Removed,
}

impl<'a> Change<'a> {
    pub fn json(self) -> Option<&'a str> {
        match self {
            Change::Set(v) => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psc::protocol::{decode, Frame};

    #[derive(Default)]
    struct Sink(Mutex<Vec<Write>>);
    impl Outbox for Sink {
        fn send(&self, w: Write) {
            self.0.lock().unwrap().push(w);
        }
    }

    fn set(k: &str, v: &str) -> WriteOp {
        WriteOp::Set {
            key: k.into(),
            value: v.into(),
        }
    }

    /// A snapshot's entry: key, JSON and its expiry (carried by the hub, or to be read).
    type SnapshotEntry = (String, String, Expiry);

    fn snapshot(r: &Replica, entries: Vec<SnapshotEntry>) {
        r.apply_snapshot(entries.len(), entries);
    }

    /// Snapshot entries whose expiry the hub did not carry.
    fn unread(entries: Vec<(String, String)>) -> Vec<SnapshotEntry> {
        entries
            .into_iter()
            .map(|(k, v)| (k, v, Expiry::Unread))
            .collect()
    }

    /// A drain with its changes in key order.
    fn sorted_drain(r: &Replica) -> Drain {
        let mut d = r.drain();
        d.changes.sort();
        d
    }

    fn replica() -> Replica {
        Replica::new(None, Arc::new(Sink::default()), Limits::default(), 1)
    }

    fn w(op: WriteOp) -> Write {
        remote(99, 0, op)
    }

    /// Another replica's write number `seq`.
    fn remote(origin: u64, seq: u64, op: WriteOp) -> Write {
        Write {
            scope: None,
            origin,
            seq,
            op,
        }
    }

    #[test]
    fn concurrent_writes_converge_to_upstream_order() {
        // Upstream order: A:k=1, B:k=2, A:k=3 (final 3); then B:k=4 (final 4).
        let a = replica();
        let b = replica();
        a.set("k".into(), "1".into()).unwrap();
        b.set("k".into(), "2".into()).unwrap();
        a.set("k".into(), "3".into()).unwrap();
        for (op, from_a) in [
            (set("k", "1"), true),
            (set("k", "2"), false),
            (set("k", "3"), true),
        ] {
            a.apply(w(op.clone()), Expiry::Unread, from_a);
            b.apply(w(op), Expiry::Unread, !from_a);
        }
        assert_eq!(a.get("k").as_deref(), Some("3"));
        assert_eq!(b.get("k").as_deref(), Some("3"));
        b.set("k".into(), "4".into()).unwrap();
        a.apply(w(set("k", "4")), Expiry::Unread, false);
        b.apply(w(set("k", "4")), Expiry::Unread, true);
        assert_eq!(a.get("k"), b.get("k"));
    }

    /// A carried expiry is taken as read; only an unread one is read from the value.
    #[test]
    fn a_carried_expiry_is_not_read_again() {
        let r = Replica::new(None, Arc::new(Sink::default()), Limits::default(), 1);
        let expired = Expiry::Read(Some(1.0));
        r.apply(remote(2, 1, set("k", "[1]")), expired, false);
        r.apply(remote(2, 2, set("j", "[1,1]")), Expiry::Read(None), false);
        r.apply(remote(2, 3, set("u", "[1,1]")), Expiry::Unread, false);
        assert_eq!(r.get("k"), None);
        assert_eq!(r.get("j").as_deref(), Some("[1,1]"));
        assert_eq!(r.get("u"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn own_log_writes_are_confirmed_by_a_mark_or_by_a_later_echo() {
        let ring = Arc::new(Ring::create(1, 1 << 16).unwrap());
        let sink = Arc::new(Sink::default());
        let r = Replica::new(None, sink.clone(), Limits::default(), 1);
        r.set_ring(Some(ring.clone()), 7);
        r.set("k".into(), "1".into()).unwrap();
        let mut records = Vec::new();
        ring.read(&mut 0, &mut records, |end, b| {
            Some((end, decode(b).unwrap()))
        });
        // The value's expiry (none) is in the record: the copies reading it need not read it.
        let [(
            end,
            Frame::Event {
                origin: 7,
                write,
                expiry: Expiry::Read(None),
            },
        )] = &records[..]
        else {
            panic!("one record carrying the connection and the expiry: {records:?}")
        };
        assert_eq!((write.origin, write.seq), (1, 1));
        assert!(sink.0.lock().unwrap().is_empty(), "no socket write");
        // Ordered before the own write: it stays.
        r.apply(remote(2, 1, set("k", "2")), Expiry::Unread, false);
        r.confirm_logged(end - 1);
        r.apply(remote(2, 2, set("k", "2")), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("1"));
        // The mark: later writes apply.
        r.confirm_logged(*end);
        r.apply(remote(2, 3, set("k", "3")), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("3"));

        // A record whose mark is lost with its connection: the echo of a later own write
        // (through the socket now) confirms it too.
        r.set("j".into(), "1".into()).unwrap();
        r.set_ring(None, 0);
        r.set("x".into(), "1".into()).unwrap();
        let sent = sink.0.lock().unwrap().pop().unwrap();
        assert_eq!(sent.seq, 3);
        r.apply(remote(2, 4, set("j", "2")), Expiry::Unread, false);
        assert_eq!(r.get("j").as_deref(), Some("1"));
        r.apply(sent, Expiry::Unread, true);
        r.apply(remote(2, 5, set("j", "5")), Expiry::Unread, false);
        r.apply(remote(2, 6, set("x", "6")), Expiry::Unread, false);
        assert_eq!(r.get("j").as_deref(), Some("5"));
        assert_eq!(r.get("x").as_deref(), Some("6"));
    }

    /// A log made by an older hub gets the event alone, which that hub can read.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_log_made_by_an_older_hub_gets_records_without_the_expiry() {
        let ring = Arc::new(Ring::create(1, 1 << 16).unwrap());
        ring.as_made_by_an_older_hub();
        let r = Replica::new(None, Arc::new(Sink::default()), Limits::default(), 1);
        r.set_ring(Some(ring.clone()), 7);
        r.set("k".into(), "[1,1790000000000]".into()).unwrap();
        let mut records = Vec::new();
        ring.read(&mut 0, &mut records, |_, b| decode(b).ok());
        let [Frame::Event {
            expiry: Expiry::Unread,
            ..
        }] = &records[..]
        else {
            panic!("one record without the expiry: {records:?}")
        };
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn after_a_write_through_the_socket_the_next_waits_for_its_echo_before_using_the_log() {
        let ring = Arc::new(Ring::create(1, 4096).unwrap());
        let sink = Arc::new(Sink::default());
        let r = Replica::new(None, sink.clone(), Limits::default(), 1);
        r.set_ring(Some(ring.clone()), 7);
        // The hub has not read the log: it fills, and a write goes through the socket.
        let mut n = 0;
        while sink.0.lock().unwrap().is_empty() {
            r.set("k".into(), n.to_string()).unwrap();
            n += 1;
        }
        ring.set_hub_pos(ring.commit());
        let commit = ring.commit();
        // Room again, yet the next write follows the first through the socket, so that the
        // hub cannot order it before.
        r.set("k".into(), "last".into()).unwrap();
        assert_eq!(ring.commit(), commit);
        let sent: Vec<Write> = std::mem::take(&mut *sink.0.lock().unwrap());
        assert_eq!(sent.len(), 2);
        for w in sent {
            r.apply(w, Expiry::Unread, true);
        }
        r.set("k".into(), "logged".into()).unwrap();
        assert!(ring.commit() > commit, "echoed: the log again");
        assert!(sink.0.lock().unwrap().is_empty());
    }

    #[test]
    fn drain_coalesces_per_key_and_counts_changes() {
        let r = replica();
        let c0 = r.counter();
        r.apply(w(set("a", "1")), Expiry::Unread, false);
        r.apply(w(set("a", "2")), Expiry::Unread, false);
        r.apply(w(set("b", "1")), Expiry::Unread, false);
        r.apply(
            w(WriteOp::Remove { key: "b".into() }),
            Expiry::Unread,
            false,
        );
        assert!(r.counter() > c0);
        let d = sorted_drain(&r);
        assert_eq!(
            d,
            Drain {
                full: false,
                changes: vec![("a".into(), Some("2".into())), ("b".into(), None)]
            }
        );
        assert_eq!(r.drain(), Drain::default());
    }

    #[test]
    fn a_fast_path_write_is_not_undone_by_older_upstream_writes() {
        let r = replica();
        let from = |origin: u64, seq: u64, v: &str| remote(origin, seq, set("k", v));
        // Order: A1, B1, A2. The log delivers A2 first; the upstream stream then A1, B1, A2.
        r.apply_provisional(&mut r.lock(), from(7, 2, "a2"), Expiry::Unread);
        r.apply(from(7, 1, "a1"), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("a2"));
        r.apply(from(8, 1, "b1"), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("a2"));
        r.apply(from(7, 2, "a2"), Expiry::Unread, false);
        r.apply(from(8, 2, "b2"), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("b2"));
        // A stale log record (already confirmed) is ignored.
        r.apply_provisional(&mut r.lock(), from(7, 2, "a2"), Expiry::Unread);
        assert_eq!(r.get("k").as_deref(), Some("b2"));
    }

    #[test]
    fn the_upstream_copy_of_a_write_applied_from_the_log_is_settled_by_its_head_alone() {
        let r = replica();
        let from = |origin: u64, seq: u64, v: &str| remote(origin, seq, set("k", v));
        // As above, the upstream's A2 taken by its head.
        r.apply_provisional(&mut r.lock(), from(7, 2, "a2"), Expiry::Unread);
        assert!(!r.settle_applied(7, 1, "k"), "not the write applied ahead");
        r.apply(from(7, 1, "a1"), Expiry::Unread, false);
        assert!(!r.settle_applied(8, 1, "k"));
        r.apply(from(8, 1, "b1"), Expiry::Unread, false);
        assert!(!r.settle_applied(7, 2, "other"));
        let c = r.counter();
        assert!(r.settle_applied(7, 2, "k"));
        assert_eq!(r.counter(), c, "nothing changes");
        assert!(!r.settle_applied(7, 2, "k"), "once");
        r.apply(from(8, 2, "b2"), Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("b2"));
        // Confirmed: the same record read from the log again is stale.
        r.apply_provisional(&mut r.lock(), from(7, 2, "a2"), Expiry::Unread);
        assert_eq!(r.get("k").as_deref(), Some("b2"));
        // An own write's echo is never settled this way.
        r.set("mine".into(), "1".into()).unwrap();
        assert!(!r.settle_applied(r.id(), 1, "mine"));
    }

    /// The upstream's copy of a write in the log that the reader has not read yet: the log is
    /// read instead, and the change is left for the reader to find by its key slot.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_upstream_copy_of_a_logged_write_not_read_yet_reads_the_log_without_a_bump() {
        let ring = Arc::new(Ring::create(1, 1 << 16).unwrap());
        let a = Replica::new(None, Arc::new(Sink::default()), Limits::default(), 1);
        let b = Replica::new(None, Arc::new(Sink::default()), Limits::default(), 2);
        a.set_ring(Some(ring.clone()), 7);
        b.set_ring(Some(ring.clone()), 8);
        b.drain();
        a.set("k".into(), "1".into()).unwrap();
        a.set("j".into(), "2".into()).unwrap();
        let c = b.counter();
        assert!(b.settle_applied(a.id(), 1, "k"));
        assert_eq!(b.counter(), c, "the slots tell the reader");
        assert!(
            b.settle_applied(a.id(), 2, "j"),
            "read along with the first"
        );
        assert!(!b.settle_applied(a.id(), 3, "k"), "not in the log");
        let d = sorted_drain(&b);
        assert_eq!(
            d.changes,
            vec![
                ("j".into(), Some("2".into())),
                ("k".into(), Some("1".into()))
            ]
        );
        // Without slots the copy is applied whole (and moves the counter).
        ring.as_made_by_an_older_hub();
        a.set("k".into(), "3".into()).unwrap();
        assert!(!b.settle_applied(a.id(), 3, "k"));
    }

    #[test]
    fn the_upstream_copy_of_a_clear_applied_from_the_log_keeps_the_writes_read_after_it() {
        let r = replica();
        let clear = || remote(7, 1, WriteOp::Clear);
        r.apply(remote(8, 1, set("old", "1")), Expiry::Unread, false);
        r.apply_provisional(&mut r.lock(), clear(), Expiry::Unread);
        r.apply_provisional(&mut r.lock(), remote(7, 2, set("k", "v")), Expiry::Unread);
        r.apply(clear(), Expiry::Unread, false);
        assert!(r.settle_applied(7, 2, "k"));
        assert_eq!(r.get("k").as_deref(), Some("v"));
        assert_eq!(r.get("old"), None);
    }

    #[test]
    fn a_fast_path_write_skipped_for_an_own_write_in_flight_is_applied_in_its_place() {
        // Order: own k=mine, then B's k=b. The log shows B's write while the own write is
        // still unconfirmed; the upstream then delivers the own echo and B's write.
        let r = replica();
        r.set("k".into(), "mine".into()).unwrap();
        let b = remote(8, 1, set("k", "b"));
        r.apply_provisional(&mut r.lock(), b.clone(), Expiry::Unread);
        r.apply(w(set("k", "mine")), Expiry::Unread, true);
        r.apply(b, Expiry::Unread, false);
        assert_eq!(r.get("k").as_deref(), Some("b"));
    }

    #[test]
    fn own_clear_in_flight_skips_older_remote_writes() {
        let r = replica();
        r.clear();
        r.set("mine".into(), "1".into()).unwrap();
        r.apply(w(set("other", "1")), Expiry::Unread, false); // ordered before the own clear: wiped by it
        r.apply(w(WriteOp::Clear), Expiry::Unread, true);
        r.apply(w(WriteOp::Clear), Expiry::Unread, false); // a later remote clear keeps the write in flight
        r.apply(w(set("mine", "1")), Expiry::Unread, true);
        assert_eq!(r.get("mine").as_deref(), Some("1"));
        assert_eq!(r.get("other"), None);
    }

    /// `ready` in JS trusts `synced` and then reads without a lock: once it is seen, the
    /// entries and the moved counter must be there.
    #[test]
    fn synced_is_seen_only_once_the_snapshot_is_in() {
        let r = Arc::new(replica());
        let entries: Vec<_> = (0..50_000)
            .map(|i| (format!("k{i}"), "[1,2]".to_string()))
            .collect();
        let applier = {
            let r = r.clone();
            std::thread::spawn(move || snapshot(&r, unread(entries)))
        };
        while !r.synced() {
            std::hint::spin_loop();
        }
        assert_ne!(r.counter(), 0);
        assert_eq!(r.unlisted(), 50_000);
        applier.join().unwrap();
    }

    #[test]
    fn snapshot_keeps_writes_in_flight_and_drops_expired() {
        let r = replica();
        r.set("k".into(), "mine".into()).unwrap();
        snapshot(
            &r,
            unread(vec![
                ("k".into(), "old".into()),
                ("x".into(), "[1,1000000000000]".into()),
                ("y".into(), "2".into()),
            ]),
        );
        assert_eq!(r.get("k").as_deref(), Some("mine"));
        let d = sorted_drain(&r);
        assert!(d.full);
        assert_eq!(
            d.changes,
            vec![
                ("k".into(), Some("mine".into())),
                ("y".into(), Some("2".into()))
            ]
        );
        r.sweep();
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn a_snapshot_takes_the_expiry_the_hub_carried() {
        let r = replica();
        snapshot(
            &r,
            vec![
                // Expired by its value, not by what the hub read: kept.
                (
                    "kept".into(),
                    "[1,1000000000000]".into(),
                    Expiry::Read(None),
                ),
                // The other way round: dropped.
                ("gone".into(), "[1]".into(), Expiry::Read(Some(1e12))),
            ],
        );
        let d = sorted_drain(&r);
        assert_eq!(
            d.changes,
            vec![("kept".into(), Some("[1,1000000000000]".into()))]
        );
        r.sweep();
        assert_eq!(r.len(), 1);
    }

    #[derive(Default)]
    struct Offers(Mutex<Vec<(String, String)>>);
    impl Outbox for Offers {
        fn send(&self, _: Write) {}
        fn offer(&self, _: Scope, entries: Vec<(String, String)>) {
            self.0.lock().unwrap().extend(entries);
        }
    }

    #[test]
    fn a_taken_value_is_held_by_the_reader_alone_and_offered_back_from_it() {
        let out = Arc::new(Offers::default());
        let r = Replica::new(None, out.clone(), Limits::default(), 1);
        r.apply(w(set("a", "[1]")), Expiry::Unread, false);
        r.apply(w(set("b", "[2]")), Expiry::Unread, false);
        r.set_held("own".into(), "[3]".into(), Expiry::Unread)
            .unwrap();
        r.apply(w(set("own", "[3]")), Expiry::Unread, true);
        assert_eq!(r.take("a").as_deref(), Some("[1]"));
        assert_eq!(r.take("a"), None, "handed over once");
        assert_eq!(r.get("own"), None, "the writer keeps its own value");
        assert_eq!(r.bytes(), 4 + 4 + 6, "sizes are still counted");
        // A restarted hub: what is here is offered at once, the rest once the reader hands it.
        assert_eq!(r.offer(), vec![("b".to_string(), "[2]".to_string())]);
        assert!(r.wants_offer());
        snapshot(&r, unread(vec![("b".into(), "[2]".into())]));
        let mut held = Vec::new();
        r.drain_with(
            |full| assert!(full),
            |k, c| {
                if c == Change::Held {
                    held.push(k.to_string())
                }
            },
        );
        held.sort();
        assert_eq!(held, ["a", "own"], "kept through the new hub's snapshot");
        r.apply(w(set("own", "[4]")), Expiry::Unread, false); // changed since: its old JSON is stale
        r.offer_held(vec![
            ("a".into(), "[1]".into()),
            ("own".into(), "[3]".into()),
            ("gone".into(), "[0]".into()),
        ]);
        assert!(!r.wants_offer());
        assert_eq!(
            *out.0.lock().unwrap(),
            vec![("a".to_string(), "[1]".to_string())]
        );
    }

    #[test]
    fn the_upstream_replay_of_a_shared_log_write_changes_nothing() {
        let r = replica();
        let wr = remote(7, 1, set("k", "[1]"));
        r.apply_provisional(&mut r.lock(), wr.clone(), Expiry::Unread);
        r.drain();
        assert_eq!(r.take("k").as_deref(), Some("[1]"));
        let c = r.counter();
        r.apply(wr, Expiry::Unread, false);
        assert_eq!(
            r.counter(),
            c,
            "no change to drain: the reader keeps its value"
        );
        assert_eq!(r.drain(), Drain::default());
    }

    #[test]
    fn values_above_the_limit_are_refused() {
        let r = Replica::new(
            None,
            Arc::new(Sink::default()),
            Limits {
                max_entries: 2,
                max_value_bytes: 4,
            },
            1,
        );
        assert_eq!(
            r.set("k".into(), "12345".into()).unwrap_err().code,
            Code::ValueTooLarge
        );
        r.set("a".into(), "1".into()).unwrap();
        r.set("b".into(), "1".into()).unwrap();
        r.set("c".into(), "1".into()).unwrap();
        assert_eq!(r.len(), 2);
    }

    /// The keys a lazy drain names, with whether each is held by the reader.
    fn lazy_drain(r: &Replica) -> (bool, Vec<(String, Change<'static>)>) {
        let mut full = false;
        let mut named = Vec::new();
        r.drain_lazily_with(
            |f| full = f,
            |k, c| {
                let c = match c {
                    Change::Set(_) => Change::Set(""),
                    Change::Held => Change::Held,
                    Change::Removed => Change::Removed,
                };
                named.push((k.to_string(), c));
                false
            },
        );
        (full, named)
    }

    #[test]
    fn a_lazy_full_drain_names_only_held_keys_and_counts_the_others_until_named_or_taken() {
        let r = replica();
        r.set_held("h".into(), "0".into(), Expiry::Unread).unwrap();
        let entries = ["a", "b", "c"].map(|k| (k.to_string(), "1".to_string()));
        snapshot(&r, unread(entries.to_vec()));
        // A miss read before the drain finds the snapshot's values already.
        assert_eq!(r.unlisted(), 3);
        assert_eq!(lazy_drain(&r), (true, vec![("h".into(), Change::Held)]));
        assert_eq!(r.unlisted(), 3);
        assert_eq!(r.take("a").as_deref(), Some("1"));
        assert_eq!(r.unlisted(), 2);
        // Another writer's change stays unlisted (a miss takes the new value) until named.
        r.apply(w(set("b", "2")), Expiry::Unread, false);
        assert_eq!(r.unlisted(), 2);
        assert_eq!(lazy_drain(&r), (false, vec![("b".into(), Change::Set(""))]));
        assert_eq!(r.unlisted(), 1);
        r.apply(
            w(WriteOp::Remove { key: "c".into() }),
            Expiry::Unread,
            false,
        );
        assert_eq!(r.unlisted(), 0);
        snapshot(
            &r,
            unread(vec![("d".into(), "1".into()), ("e".into(), "1".into())]),
        );
        assert_eq!(r.unlisted(), 2);
        // An own write replaces an unlisted entry: the reader holds it.
        r.set_held("d".into(), "5".into(), Expiry::Unread).unwrap();
        assert_eq!(r.unlisted(), 1);
        assert_eq!(r.list_unlisted(), vec!["e".to_string()]);
        assert_eq!(r.unlisted(), 0);
        snapshot(&r, unread(vec![("f".into(), "1".into())]));
        r.clear();
        assert_eq!(r.unlisted(), 0);
    }

    #[test]
    fn appends_while_a_nudge_is_queued_queue_no_other() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
        let out = ChannelOutbox {
            id: 1,
            tx,
            make: |_, _| 0,
            nudge: Some(|| 1),
            nudge_queued: Arc::default(),
            offer: None,
        };
        for _ in 0..100 {
            out.nudge();
        }
        assert_eq!(rx.try_recv(), Ok(1));
        assert!(rx.try_recv().is_err());
        // Taken by the transport thread: the next append nudges again.
        out.nudge_queued.swap(false, Ordering::AcqRel);
        out.nudge();
        assert_eq!(rx.try_recv(), Ok(1));
    }
}
