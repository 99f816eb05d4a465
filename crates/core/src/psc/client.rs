//! A worker's connection to the hub, run by its own thread.
//!
//! The worker keeps serving its replicas while the hub is absent: writes are queued and sent
//! once connected. On every connection the client re-sends writes whose echo it has not seen
//! (at-least-once), offers its entries if the hub is a new one (it restarted empty), and
//! subscribes its scopes, whose snapshot then replaces the local copy. Which hub it connects
//! to is decided by [`files::Target`]; the hub's first frame says how large a frame it
//! accepts, and writes that would not fit are refused at `set` (never re-sent forever).
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::mpsc;

use super::files;
use super::platform::Ring;
use super::protocol::{
    decode, encode, event_head, read_frame, split_entries, EventHead, Frame, Scope, SnapshotPart,
    Write, DEFAULT_MAX_FRAME,
};
use super::replica::{
    apply_to_scope, lock, next_expiry, sweep_deadline, ChannelOutbox, Limits, Replica, Replicas,
};
use super::{LinkEvent, OnLinkEvent};
use crate::Result;

#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub max_frame: usize,
    pub limits: Limits,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            max_frame: DEFAULT_MAX_FRAME,
            limits: Limits::default(),
            reconnect_min: Duration::from_millis(20),
            reconnect_max: Duration::from_millis(500),
        }
    }
}

enum Cmd {
    Write(u64, Write),
    Subscribe(u64, Scope),
    Nudge,
    /// Entries a reader handed back for a hub that restarted (dropped while disconnected:
    /// the next hub asks again).
    Offer(Scope, Vec<(String, String)>),
    Stop,
}

/// Writes kept while the hub is away, beyond which the local copy is re-sent whole.
const MAX_QUEUED: usize = 100_000;

/// Received frames applied in one turn of the connection's loop, so that the writes to send
/// still go out between bursts.
const FRAMES_PER_TURN: usize = 1024;

pub struct HubClient {
    tx: mpsc::UnboundedSender<Cmd>,
    replicas: Replicas,
    connected: Arc<AtomicBool>,
    limits: Limits,
    /// The largest frame both ends accept, as the last hub said.
    frame_limit: Arc<AtomicUsize>,
    nudge_queued: Arc<AtomicBool>,
}

/// The hub's shared log while connected (where the platform has one).
type SharedRing = Arc<std::sync::Mutex<Option<Arc<Ring>>>>;

/// Opens the hub's log (or forgets it, and stops every replica using it). A replica starts
/// using the log once its subscription's snapshot arrives: from then on the hub sends it
/// the echo of every other replica's write it appends there, and marks for its own.
fn share_ring(
    shared: &SharedRing,
    replicas: &Replicas,
    ring: Option<std::os::fd::OwnedFd>,
    epoch: u64,
) {
    let ring = ring
        .and_then(|fd| Ring::from_fd(fd, epoch).ok())
        .map(Arc::new);
    *lock(shared) = ring.clone();
    if ring.is_none() {
        for (_, r) in lock(replicas).iter() {
            r.set_ring(None, 0);
        }
    }
}

impl HubClient {
    /// Starts connecting to the hub at `path` (the well-known name) in the background; never
    /// fails for an absent hub, but refuses a directory that is not this user's own.
    pub fn connect(
        path: PathBuf,
        opts: ClientOptions,
        on_event: Option<OnLinkEvent>,
    ) -> Result<HubClient> {
        if let Some(dir) = path.parent() {
            files::check_dir_if_present(dir)?;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let frame_limit = Arc::new(AtomicUsize::new(opts.max_frame));
        let replicas: Replicas = Arc::default();
        let connected = Arc::new(AtomicBool::new(false));
        let (r, c) = (replicas.clone(), connected.clone());
        let ring: SharedRing = Arc::default();
        let nudge_queued = Arc::new(AtomicBool::new(false));
        let link = Link {
            replicas: r,
            connected: c,
            ring,
            frame_limit: frame_limit.clone(),
            nudge_queued: nudge_queued.clone(),
        };
        crate::runtime::spawn_thread("alova-psc-client", run(path, opts, rx, link, on_event))?;
        Ok(HubClient {
            tx,
            replicas,
            connected,
            limits: opts.limits,
            frame_limit,
            nudge_queued,
        })
    }

    /// A new replica of `scope`, filled from the hub's snapshot once connected.
    pub fn attach(&self, scope: Scope) -> Arc<Replica> {
        let id = rand::random::<u64>() | 1;
        let out = Arc::new(ChannelOutbox {
            id,
            tx: self.tx.clone(),
            make: Cmd::Write,
            nudge: Some(|| Cmd::Nudge),
            nudge_queued: self.nudge_queued.clone(),
            offer: Some(Cmd::Offer),
        });
        let replica = Arc::new(Replica::new(scope.clone(), out, self.limits, id));
        replica.set_frame_limit(self.frame_limit.load(Ordering::Acquire));
        let mut replicas = lock(&self.replicas);
        for (_, r) in replicas.iter().filter(|(_, r)| *r.scope() == scope) {
            r.share_scope();
            replica.share_scope();
        }
        replicas.push((id, replica.clone()));
        drop(replicas);
        let _ = self.tx.send(Cmd::Subscribe(id, scope));
        replica
    }

    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// Sends what is queued, then closes the connection and ends the thread.
    pub fn stop(&self) {
        let _ = self.tx.send(Cmd::Stop);
    }
}

/// What the transport thread shares with the `HubClient`.
struct Link {
    replicas: Replicas,
    connected: Arc<AtomicBool>,
    ring: SharedRing,
    frame_limit: Arc<AtomicUsize>,
    /// See `ChannelOutbox::nudge_queued`: cleared as each queued nudge is taken.
    nudge_queued: Arc<AtomicBool>,
}

/// The hub's first frame: its run, this connection's id, the largest frame it accepts, and
/// the shared log's descriptor.
async fn welcome(stream: &UnixStream) -> Option<(u64, u64, usize, Option<std::os::fd::OwnedFd>)> {
    let (body, fd) = tokio::time::timeout(Duration::from_secs(2), super::handoff::receive(stream))
        .await
        .ok()?
        .ok()?;
    match decode(&body).ok()? {
        Frame::Welcome {
            epoch,
            conn,
            max_frame,
        } => Some((epoch, conn, max_frame as usize, fd)),
        _ => None,
    }
}

async fn run(
    path: PathBuf,
    opts: ClientOptions,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    link: Link,
    on_event: Option<OnLinkEvent>,
) {
    let Link {
        replicas,
        connected,
        ring,
        frame_limit,
        nudge_queued,
    } = link;
    let mut target = files::Target::new(path);
    // Writes sent on a connection whose echo has not come back yet, with the replica that
    // wrote them; followed by writes queued while disconnected.
    let mut unacked: VecDeque<(u64, Arc<Vec<u8>>)> = VecDeque::new();
    let mut last_epoch: Option<u64> = None;
    let mut lost = false;
    let mut backoff = opts.reconnect_min;
    let mut swept = tokio::time::Instant::now();
    loop {
        // Disconnected: retry with backoff, queueing writes meanwhile.
        let stream = loop {
            if let Some(p) = target.choose() {
                if let Ok(s) = UnixStream::connect(&p).await {
                    break s;
                }
            }
            let wait = tokio::time::sleep(backoff);
            tokio::pin!(wait);
            loop {
                tokio::select! {
                    _ = &mut wait => break,
                    _ = tokio::time::sleep_until(sweep_deadline(next_expiry(&replicas), swept)) => sweep_all(&replicas, &mut swept),
                    cmd = rx.recv() => match cmd {
                        None | Some(Cmd::Stop) => return,
                        Some(Cmd::Write(id, w)) => {
                            unacked.push_back((id, Arc::new(encode(&Frame::Write(w)))));
                            // Bounded while the hub is away: past the bound the queue is
                            // dropped and the whole local copy is written on reconnection.
                            if unacked.len() > MAX_QUEUED {
                                unacked.clear();
                                lost = true;
                                for (_, r) in lock(&replicas).iter() {
                                    r.forget_inflight();
                                }
                            }
                        }
                        // The next hub reads the whole log anyway.
                        Some(Cmd::Nudge) => {
                            nudge_queued.swap(false, Ordering::AcqRel);
                        }
                        Some(Cmd::Subscribe(..) | Cmd::Offer(..)) => {}
                    },
                }
            }
            backoff = (backoff * 2).min(opts.reconnect_max);
        };
        let Some((epoch, conn, hub_max, log_fd)) = welcome(&stream).await else {
            // Not a hub that answers: try again later, as for an absent one.
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(opts.reconnect_max);
            continue;
        };
        backoff = opts.reconnect_min;
        // Writes are refused at the call if either end would refuse their frame; frames from
        // the hub are read up to its own limit (a snapshot part fits in it).
        let limit = match hub_max {
            0 => opts.max_frame,
            n => n.min(opts.max_frame),
        };
        frame_limit.store(limit, Ordering::Release);
        let (r, mut w) = stream.into_split();
        let (frames_tx, mut frames) = mpsc::unbounded_channel();
        let max_frame = opts.max_frame.max(hub_max);
        let reader = tokio::spawn(async move {
            let mut r = BufReader::with_capacity(64 * 1024, r);
            while let Ok(Some(body)) = read_frame(&mut r, max_frame).await {
                if frames_tx.send(body).is_err() {
                    return;
                }
            }
        });
        // Re-sent writes first, then the offer to a new hub, then the subscriptions. A write
        // this hub would refuse (its limit is lower than the last one's) is dropped, not
        // re-sent on every connection; its replica then stops waiting for echoes.
        let current: Vec<(u64, Arc<Replica>)> = lock(&replicas).clone();
        for (_, r) in &current {
            r.set_frame_limit(limit);
        }
        let mut out = Vec::new();
        unacked.retain(|(id, b)| {
            let fits = b.len() - 4 <= limit;
            if !fits {
                for (rid, r) in &current {
                    if rid == id {
                        r.forget_inflight();
                    }
                }
            }
            fits
        });
        for (_, b) in &unacked {
            out.extend_from_slice(b);
        }
        if std::mem::take(&mut lost) {
            for (id, r) in &current {
                for (key, value) in r.offer() {
                    let write = Write {
                        scope: r.scope().clone(),
                        origin: *id,
                        seq: 0,
                        op: super::protocol::WriteOp::Set { key, value },
                    };
                    let b = Arc::new(encode(&Frame::Write(write)));
                    out.extend_from_slice(&b);
                    unacked.push_back((*id, b));
                }
            }
        }
        if last_epoch.is_some_and(|e| e != epoch) {
            for (_, r) in &current {
                // Writes appended to the old hub's log died with it: their echo never comes.
                r.forget_inflight();
                for entries in split_entries(r.offer(), (limit / 2).min(1 << 20)) {
                    out.extend(encode(&Frame::Offer {
                        scope: r.scope().clone(),
                        entries,
                    }));
                }
            }
        }
        // Replicas subscribed here need no second snapshot for their queued Subscribe.
        let subscribed: std::collections::HashSet<u64> =
            current.iter().map(|(id, _)| *id).collect();
        let mut scopes: Vec<&Scope> = current.iter().map(|(_, r)| r.scope()).collect();
        scopes.sort();
        scopes.dedup();
        for s in scopes {
            out.extend(encode(&Frame::Subscribe { scope: s.clone() }));
        }
        if w.write_all(&out).await.is_err() {
            reader.abort();
            continue;
        }
        last_epoch = Some(epoch);
        connected.store(true, Ordering::Release);
        share_ring(&ring, &replicas, log_fd, epoch);
        if let Some(f) = &on_event {
            f(LinkEvent::Connected);
        }
        let mut inbound = Inbound {
            conn,
            replicas: &replicas,
            ring: &ring,
            on_event: on_event.as_ref(),
            parts: HashMap::new(),
        };
        let mut batch = Vec::new();
        let stopped = loop {
            tokio::select! {
                body = frames.recv() => {
                    let Some(body) = body else { break false };
                    // A malformed frame ends the connection (the client reconnects).
                    let mut ok = inbound.on_body(body, &mut unacked);
                    // Frames already here are taken before the next turn re-arms the timers.
                    for _ in 0..FRAMES_PER_TURN {
                        let Ok(body) = frames.try_recv() else { break };
                        ok &= inbound.on_body(body, &mut unacked);
                    }
                    if !ok { break false; }
                }
                _ = tokio::time::sleep_until(sweep_deadline(next_expiry(&replicas), swept)) => sweep_all(&replicas, &mut swept),
                cmd = rx.recv() => {
                    let mut stop = false;
                    let mut nudged = false;
                    let mut next = cmd;
                    // Coalesce what is already queued into one write.
                    loop {
                        match next {
                            None | Some(Cmd::Stop) => { stop = true; break; }
                            Some(Cmd::Write(id, w)) => {
                                let b = Arc::new(encode(&Frame::Write(w)));
                                batch.extend_from_slice(&b);
                                unacked.push_back((id, b));
                            }
                            Some(Cmd::Nudge) => {
                                // Cleared before the frame goes out: an append after this
                                // queues a nudge of its own.
                                nudge_queued.swap(false, Ordering::AcqRel);
                                if !nudged {
                                    nudged = true;
                                    batch.extend(encode(&Frame::Nudge));
                                }
                            }
                            Some(Cmd::Offer(scope, entries)) => {
                                for entries in split_entries(entries, (limit / 2).min(1 << 20)) {
                                    batch.extend(encode(&Frame::Offer { scope: scope.clone(), entries }));
                                }
                            }
                            Some(Cmd::Subscribe(id, scope)) => {
                                if !subscribed.contains(&id) {
                                    batch.extend(encode(&Frame::Subscribe { scope }));
                                }
                            }
                        }
                        if batch.len() > (1 << 20) { break; }
                        match rx.try_recv() { Ok(c) => next = Some(c), Err(_) => break }
                    }
                    let ok = w.write_all(&batch).await.is_ok();
                    batch.clear();
                    if stop {
                        let _ = w.shutdown().await;
                        break true;
                    }
                    if !ok { break false; }
                }
            }
        };
        reader.abort();
        connected.store(false, Ordering::Release);
        share_ring(&ring, &replicas, None, 0);
        if stopped {
            return;
        }
    }
}

fn sweep_all(replicas: &Replicas, swept: &mut tokio::time::Instant) {
    *swept = tokio::time::Instant::now();
    for (_, r) in lock(replicas).iter() {
        r.sweep();
    }
}

/// What the frames of one connection are applied with: its id, the link's replicas and shared
/// log, whom to tell when a snapshot lands, and the parts of snapshots still arriving.
struct Inbound<'a> {
    conn: u64,
    replicas: &'a Replicas,
    ring: &'a SharedRing,
    on_event: Option<&'a OnLinkEvent>,
    parts: HashMap<Scope, Vec<Vec<u8>>>,
}

impl Inbound<'_> {
    /// Handles one frame from the hub; false if it is malformed. The hub's copy of a write the
    /// reader already applied from the shared log (most of them, for a reader that keeps up)
    /// is taken from its head: its value is not decoded again. A snapshot's parts are kept as
    /// they came until the last one, then checked and read in place into the replicas of
    /// their scope.
    fn on_body(&mut self, body: Vec<u8>, unacked: &mut VecDeque<(u64, Arc<Vec<u8>>)>) -> bool {
        if let Some(h) = event_head(&body) {
            if h.origin != self.conn && settled(self.replicas, &h) {
                return true;
            }
        }
        if let Some((scope, last)) = SnapshotPart::head_of(&body) {
            let scope = scope.map(str::to_owned);
            let mut bodies = self.parts.remove(&scope).unwrap_or_default();
            bodies.push(body);
            return match last {
                true => self.apply_snapshot(&scope, &bodies),
                false => {
                    self.parts.insert(scope, bodies);
                    true
                }
            };
        }
        match decode(&body) {
            Ok(frame) => {
                self.on_frame(frame, unacked);
                true
            }
            Err(_) => false,
        }
    }

    /// Replaces the entries of `scope`'s replicas with the snapshot in `bodies` (its parts),
    /// then has them read the shared log from there, and says so; false, and nothing
    /// replaced, if a part is malformed.
    fn apply_snapshot(&self, scope: &Scope, bodies: &[Vec<u8>]) -> bool {
        let Some(Ok(parts)) = bodies
            .iter()
            .map(|b| SnapshotPart::of(b))
            .collect::<Option<crate::Result<Vec<_>>>>()
        else {
            return false;
        };
        let len = parts.iter().map(SnapshotPart::len).sum();
        let targets: Vec<Arc<Replica>> = lock(self.replicas)
            .iter()
            .filter(|(_, r)| r.scope() == scope)
            .map(|(_, r)| r.clone())
            .collect();
        for r in &targets {
            r.apply_snapshot(len, parts.iter().flat_map(SnapshotPart::entries));
        }
        if let Some(ring) = lock(self.ring).clone() {
            for r in &targets {
                if r.ring().is_none() {
                    r.set_ring(Some(ring.clone()), self.conn);
                }
            }
        }
        if let (Some(f), false) = (self.on_event, targets.is_empty()) {
            f(LinkEvent::Synced);
        }
        true
    }

    fn on_frame(&self, frame: Frame, unacked: &mut VecDeque<(u64, Arc<Vec<u8>>)>) {
        match frame {
            Frame::Event {
                origin,
                write,
                expiry,
            } => {
                // Writes this connection sent itself are acknowledged; writes the hub read
                // from the shared log come with origin 0 and were never queued here.
                if origin == self.conn {
                    unacked.pop_front();
                }
                let from = write.origin;
                apply_to_scope(self.replicas, write, expiry, |_, r| from == r.id());
            }
            Frame::Mark { pos } => {
                for (_, r) in lock(self.replicas).iter() {
                    r.confirm_logged(pos);
                }
            }
            _ => {}
        }
    }
}

/// Whether the one replica of the event's scope already applied it (with two or more, the
/// whole write goes to each).
fn settled(replicas: &Replicas, h: &EventHead<'_>) -> bool {
    // Settled outside the list's lock: it may read the shared log.
    let one = {
        let rs = lock(replicas);
        let mut of_scope = rs.iter().filter(|(_, r)| r.scope().as_deref() == h.scope);
        match (of_scope.next(), of_scope.next()) {
            (Some((_, r)), None) => Some(r.clone()),
            _ => None,
        }
    };
    one.is_some_and(|r| r.settle_applied(h.writer, h.seq, h.key))
}
