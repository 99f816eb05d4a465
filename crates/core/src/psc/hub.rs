//! The hub: one thread in the cluster primary that decides the order of every write.
//!
//! Transport: a tokio `UnixListener` on this process's generation socket (see [`files`]: a
//! 0700 directory of this user's own, socket mode 0600, the well-known name pointed at it).
//! ipc-channel is not used: its `IpcOneShotServer` hands one fresh name to one child the
//! parent spawns, while `node:cluster` forks workers itself and they come and go; a second
//! process connecting to a one-shot name is silently lost.
//!
//! One task (the sequencer) owns the store and every connection's outgoing queue, so the
//! order in which writes are applied is the order in which every client receives them.
//! A client's malformed or oversized frame closes that client only. Each connection's queue
//! is bounded: a client that stops reading (a stopped process) is disconnected, which frees
//! its queue; it resynchronises from a snapshot when it reconnects.
use std::collections::{HashMap, HashSet};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};

use super::files;
use super::json_text::scan;
use super::platform::{Ring, DEFAULT_CAPACITY};
use super::protocol::{
    decode, encode, encode_event, encode_snapshot_parts, now_ms, read_frame, Expiry, Frame, Scope,
    Write, WriteOp, DEFAULT_MAX_FRAME,
};
use super::replica::sweep_deadline;
use super::store::Store;
use crate::{Code, Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct HubOptions {
    pub max_frame: usize,
    pub max_entries: usize,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            max_frame: DEFAULT_MAX_FRAME,
            max_entries: super::replica::Limits::default().max_entries,
        }
    }
}

impl HubOptions {
    /// Bytes of the live stream queued for one connection beyond which it is dropped as a
    /// slow consumer: room for two of the largest frames, and at least 8 MiB.
    fn max_queue(&self) -> usize {
        (2 * self.max_frame).max(8 << 20)
    }
}

/// Snapshot parts stay well below any sane frame limit.
const SNAPSHOT_PART_BYTES: usize = 1 << 20;

pub struct Hub {
    path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    done: Option<std::sync::mpsc::Receiver<()>>,
}

type Bytes = Arc<Vec<u8>>;

/// A frame queued for a connection, with the bytes it counts against the queue's bound
/// (0 for snapshot parts: a snapshot is as large as the scope, and is sent once per
/// subscription; only the live stream can grow without end behind a slow reader).
type Out = (Bytes, usize);

enum Msg {
    Join(u64, Conn),
    Frame(u64, Frame),
    Leave(u64),
}

struct Conn {
    tx: mpsc::UnboundedSender<Out>,
    writer: tokio::task::JoinHandle<()>,
    scopes: HashSet<Scope>,
    /// Bytes queued and not yet written to the socket.
    queued: Arc<AtomicUsize>,
    /// Records this connection's replicas appended to the shared log were applied since its
    /// last mark: it is owed one before anything else is sent to it (they get no echo).
    owed_mark: bool,
}

impl Conn {
    /// Queues `b`, after the mark this connection is owed (`log_pos`: how far the hub has
    /// applied the log); false if that would exceed `limit` (the connection is then dropped).
    fn push(&mut self, b: &Bytes, limit: usize, log_pos: u64) -> bool {
        if self.owed_mark && !self.push_mark(limit, log_pos) {
            return false;
        }
        self.queue(b, limit)
    }

    fn push_mark(&mut self, limit: usize, log_pos: u64) -> bool {
        self.owed_mark = false;
        self.queue(&Arc::new(encode(&Frame::Mark { pos: log_pos })), limit)
    }

    fn queue(&self, b: &Bytes, limit: usize) -> bool {
        if self.queued.load(Ordering::Relaxed) + b.len() > limit {
            return false;
        }
        self.queued.fetch_add(b.len(), Ordering::Relaxed);
        let _ = self.tx.send((b.clone(), b.len()));
        true
    }

    /// Queues a snapshot part, outside the bound.
    fn push_snapshot(&self, b: Bytes) {
        let _ = self.tx.send((b, 0));
    }
}

fn io_err(context: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(Code::Psc, format!("{context} {}: {e}", path.display()))
}

fn ring_fd(ring: &Option<Arc<Ring>>) -> Option<RawFd> {
    ring.as_ref().map(|r| r.fd())
}

impl Hub {
    /// Binds this process's generation socket for the well-known `path`, points `path` at
    /// it and serves it on a new thread. Another process's hub on the same path keeps
    /// serving its own clients (see [`files`]); a second hub in this process is refused.
    pub fn start(path: &Path, opts: HubOptions) -> Result<Hub> {
        if let Some(dir) = path.parent() {
            files::secure_dir(dir)?;
        }
        let own = files::generation_path(path, std::process::id());
        if std::fs::symlink_metadata(&own).is_ok() {
            if std::os::unix::net::UnixStream::connect(&own).is_ok() {
                return Err(Error::new(
                    Code::Psc,
                    format!(
                        "a shared-cache hub of this process is already listening on {}",
                        own.display()
                    ),
                ));
            }
            std::fs::remove_file(&own)
                .map_err(|e| io_err("cannot remove stale socket", &own, e))?;
        }
        files::sweep_stale(path);
        let std_listener = std::os::unix::net::UnixListener::bind(&own)
            .map_err(|e| io_err("cannot listen on", &own, e))?;
        let ready = std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_err("cannot restrict", &own, e))
            .and_then(|()| {
                std_listener
                    .set_nonblocking(true)
                    .map_err(|e| io_err("cannot configure", &own, e))
            })
            .and_then(|()| files::publish(path, &own));
        if let Err(e) = ready {
            let _ = std::fs::remove_file(&own);
            return Err(e);
        }
        let epoch: u64 = rand::random::<u64>() | 1;
        // The shared log of the fast path; without it workers use the socket alone.
        let ring = Ring::create(epoch, DEFAULT_CAPACITY).ok().map(Arc::new);
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let link = path.to_path_buf();
        crate::runtime::spawn_thread("alova-psc-hub", async move {
            if let Ok(listener) = UnixListener::from_std(std_listener) {
                serve(listener, opts, epoch, ring, stop_rx).await;
            }
            let _ = std::fs::remove_file(&own);
            files::unpublish(&link, &own);
            let _ = done_tx.send(());
        })?;
        Ok(Hub {
            path: path.to_path_buf(),
            stop: Some(stop_tx),
            done: Some(done_rx),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops accepting, flushes what each client was sent, closes every connection and
    /// removes this hub's socket (and the well-known name while it points there). Waits at
    /// most two seconds.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(d) = self.done.take() {
            let _ = d.recv_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn serve(
    listener: UnixListener,
    opts: HubOptions,
    epoch: u64,
    ring: Option<Arc<Ring>>,
    mut stop: oneshot::Receiver<()>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let accept_tx = tx.clone();
    let log_fd = ring_fd(&ring);
    let keep_ring = ring.clone();
    let accept = tokio::spawn(async move {
        let _keep = keep_ring;
        let mut next_id = 0u64;
        while let Ok((stream, _)) = listener.accept().await {
            next_id += 1;
            let id = next_id;
            // The first frame carries the shared log's descriptor, so it goes out here,
            // before anything the sequencer queues.
            let welcome = encode(&Frame::Welcome {
                epoch,
                conn: id,
                max_frame: opts.max_frame as u64,
            });
            if super::handoff::send(stream.as_raw_fd(), &welcome, log_fd).is_err() {
                continue;
            }
            super::handoff::widen_send_buffer(stream.as_raw_fd(), 2 * SNAPSHOT_PART_BYTES);
            let (r, w) = stream.into_split();
            let (out_tx, out_rx) = mpsc::unbounded_channel();
            let queued = Arc::new(AtomicUsize::new(0));
            let writer = tokio::spawn(write_loop(w, out_rx, queued.clone()));
            let conn = Conn {
                tx: out_tx,
                writer,
                scopes: HashSet::new(),
                queued,
                owed_mark: false,
            };
            if accept_tx.send(Msg::Join(id, conn)).is_err() {
                break;
            }
            let msgs = accept_tx.clone();
            tokio::spawn(async move {
                let mut r = BufReader::with_capacity(64 * 1024, r);
                while let Ok(Some(body)) = read_frame(&mut r, opts.max_frame).await {
                    let msg = match decode(&body) {
                        // Values are checked where they are applied (`State::apply`).
                        Ok(
                            f @ (Frame::Subscribe { .. }
                            | Frame::Write(_)
                            | Frame::Offer { .. }
                            | Frame::Nudge),
                        ) => Msg::Frame(id, f),
                        _ => break,
                    };
                    if msgs.send(msg).is_err() {
                        return;
                    }
                }
                let _ = msgs.send(Msg::Leave(id));
            });
        }
    });
    drop(tx);
    let mut hub = State {
        store: Store::new(opts.max_entries),
        conns: HashMap::new(),
        seen: HashMap::new(),
        max_queue: opts.max_queue(),
        part_bytes: SNAPSHOT_PART_BYTES.min(opts.max_frame / 2),
        slow: Vec::new(),
        log_pos: 0,
    };
    // The log is read LOG_READ_DELAY after a writer's nudge (appends meanwhile are read with
    // it and need no nudge of their own), and again LOG_READ_DELAY later as long as a read
    // finds records (writers that keep appending need not nudge at all); also before each
    // socket frame, when a connection ends (its last nudge may be lost with it) and with the
    // expiry sweep. No timer runs while nothing is appended or expires: an idle hub never
    // wakes up.
    let mut swept = tokio::time::Instant::now();
    let mut log = Log { ring, pos: 0 };
    let mut read_at: Option<tokio::time::Instant> = None;
    // The last scheduled read found records.
    let mut busy = false;
    loop {
        let sweep_at = sweep_deadline(hub.store.next_expiry(), swept);
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep_until(sweep_at) => {
                swept = tokio::time::Instant::now();
                log.catch_up(&mut hub);
                hub.store.sweep(now_ms());
            }
            _ = tokio::time::sleep_until(read_at.unwrap_or(sweep_at)), if read_at.is_some() => {
                // Scheduled before the read: an append it misses is read by the next one.
                let again = std::mem::take(&mut busy).then_some(LOG_READ_DELAY);
                read_at = again.map(|d| tokio::time::Instant::now() + d);
                log.set_read_due(again);
                busy = log.catch_up(&mut hub) > 0;
                hub.drop_slow();
            }
            msg = rx.recv() => {
                let Some(msg) = msg else { break };
                match msg {
                    Msg::Join(id, conn) => {
                        hub.conns.insert(id, conn);
                    }
                    Msg::Leave(id) => {
                        hub.conns.remove(&id);
                        log.catch_up(&mut hub);
                    }
                    // A dropped slow consumer's late frames: it re-sends them on reconnection.
                    Msg::Frame(id, _) if !hub.conns.contains_key(&id) => {}
                    // Workers already see each other's appends in the log: the hub's copy and
                    // its confirmations can wait a moment and take a burst at once.
                    Msg::Frame(_, Frame::Nudge) if !log.backlog_large() => {
                        if read_at.is_none() {
                            read_at = Some(tokio::time::Instant::now() + LOG_READ_DELAY);
                            log.set_read_due(Some(LOG_READ_DELAY));
                        }
                    }
                    Msg::Frame(id, frame) => {
                        // The log's records come first: a writer appended them before
                        // anything it sends afterwards.
                        log.catch_up(&mut hub);
                        hub.handle(id, frame);
                    }
                }
                hub.drop_slow();
            }
        }
    }
    accept.abort();
    // Flush before close: writers end once their queue is drained and dropped.
    let writers: Vec<_> = hub.conns.into_values().map(|c| c.writer).collect();
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        futures_util::future::join_all(writers),
    )
    .await;
}

/// Writers remembered for de-duplication before the table is reset.
const MAX_WRITERS: usize = 1 << 16;

/// The sequencer's state.
struct State {
    store: Store,
    conns: HashMap<u64, Conn>,
    /// Per writing replica, the last `seq` received over a socket: a client re-sends the
    /// writes whose echo it did not get (after being dropped as a slow consumer, say), and
    /// those already applied are only acknowledged again.
    seen: HashMap<u64, u64>,
    max_queue: usize,
    part_bytes: usize,
    /// Connections whose queue overflowed, dropped after the current message.
    slow: Vec<u64>,
    /// How far the shared log has been applied.
    log_pos: u64,
}

impl State {
    fn send(&mut self, id: u64, b: &Bytes) {
        if let Some(c) = self.conns.get_mut(&id) {
            if !c.push(b, self.max_queue, self.log_pos) {
                self.slow.push(id);
            }
        }
    }

    /// Sends `bytes` to the subscribers of `scope` and to `also`, except to `except`.
    fn broadcast(&mut self, scope: &Scope, also: u64, except: u64, bytes: &Bytes) {
        for (id, c) in &mut self.conns {
            if *id != except
                && (*id == also || c.scopes.contains(scope))
                && !c.push(bytes, self.max_queue, self.log_pos)
            {
                self.slow.push(*id);
            }
        }
    }

    /// Sends every connection the mark it is owed.
    fn flush_marks(&mut self) {
        for (id, c) in &mut self.conns {
            if c.owed_mark && !c.push_mark(self.max_queue, self.log_pos) {
                self.slow.push(*id);
            }
        }
    }

    /// Drops connections that fell too far behind: their queue is freed at once and their
    /// client, seeing the connection end, reconnects and resynchronises from a snapshot.
    fn drop_slow(&mut self) {
        for id in std::mem::take(&mut self.slow) {
            if let Some(c) = self.conns.remove(&id) {
                c.writer.abort();
            }
        }
    }

    /// Applies a write in the hub's order and sends it to the scope's subscribers: `from`,
    /// the connection that sent it (0: none), gets it too; `logged_by`, the connection whose
    /// replica appended it to the shared log (0: none), gets a mark instead. Values are JSON
    /// text handed to `JSON.parse` in every worker: anything else is dropped, and only its
    /// writer is answered (so that it does not re-send it forever).
    fn apply(&mut self, from: u64, logged_by: u64, write: Write) {
        if let Some(c) = self.conns.get_mut(&logged_by) {
            c.owed_mark = true;
        }
        let expires = match &write.op {
            WriteOp::Set { value, .. } => match scan(value) {
                Some(expires) => expires,
                None => {
                    return self.send(from, &Arc::new(encode_event(from, &write, Expiry::Unread)))
                }
            },
            _ => None,
        };
        // Read once, here: no copy reads it from the value again.
        let event = Arc::new(encode_event(from, &write, Expiry::Read(expires)));
        let Write { scope, op, .. } = write;
        let evicted = self.store.apply(&scope, op, expires);
        self.broadcast(&scope, from, logged_by, &event);
        for key in evicted {
            let write = Write {
                scope: scope.clone(),
                origin: 0,
                seq: 0,
                op: WriteOp::Remove { key },
            };
            self.broadcast(
                &scope,
                0,
                0,
                &Arc::new(encode_event(0, &write, Expiry::Unread)),
            );
        }
    }

    fn handle(&mut self, id: u64, frame: Frame) {
        match frame {
            Frame::Subscribe { scope } => {
                let Some(c) = self.conns.get_mut(&id) else {
                    return;
                };
                c.scopes.insert(scope.clone());
                // Own records of the log before the snapshot are in it, whichever connection
                // appended them (one that ended before its mark came, say).
                if !c.push_mark(self.max_queue, self.log_pos) {
                    self.slow.push(id);
                    return;
                }
                let c = &*c;
                // Encoded straight from the store, with the expiries it read (a late joiner
                // waits for this).
                let now = now_ms();
                let live = || self.store.live(&scope, now);
                for part in encode_snapshot_parts(&scope, live, self.part_bytes) {
                    c.push_snapshot(Arc::new(part));
                }
            }
            Frame::Write(write) => {
                if write.seq != 0 {
                    if self.seen.len() > MAX_WRITERS {
                        self.seen.clear();
                    }
                    let last = self.seen.entry(write.origin).or_default();
                    if write.seq <= *last {
                        // Already applied: acknowledged to its sender only.
                        self.send(id, &Arc::new(encode_event(id, &write, Expiry::Unread)));
                        return;
                    }
                    *last = write.seq;
                }
                self.apply(id, 0, write);
            }
            Frame::Offer { scope, entries } => {
                let now = now_ms();
                for (key, value) in entries {
                    let live = super::protocol::expiry_of(&value).is_none_or(|t| t > now);
                    if !live || self.store.contains(&scope, &key) {
                        continue;
                    }
                    let write = Write {
                        scope: scope.clone(),
                        origin: 0,
                        seq: 0,
                        op: WriteOp::Set { key, value },
                    };
                    self.apply(0, 0, write);
                }
            }
            _ => {}
        }
    }
}

/// The hub's reading position in the shared log.
struct Log {
    ring: Option<Arc<Ring>>,
    pos: u64,
}

/// How long after a nudge the hub reads the log (see `serve`).
const LOG_READ_DELAY: Duration = Duration::from_millis(2);

impl Log {
    fn backlog_large(&self) -> bool {
        self.ring.as_ref().is_some_and(|r| r.backlog_large())
    }

    fn set_read_due(&self, after: Option<Duration>) {
        if let Some(r) = &self.ring {
            r.set_read_due(after);
        }
    }

    /// Orders and applies the records appended since the last call, like socket writes
    /// (`State::apply` checks that values are JSON); their writers get a mark. Returns how
    /// many were read.
    fn catch_up(&mut self, hub: &mut State) -> usize {
        let mut n = 0;
        if let Some(ring) = &self.ring {
            let mut writes = Vec::new();
            ring.read(&mut self.pos, &mut writes, |end, body| match decode(body) {
                Ok(Frame::Event { origin, write, .. }) => Some((end, origin, write)),
                _ => None,
            });
            ring.set_hub_pos(self.pos);
            n = writes.len();
            for (end, origin, write) in writes {
                hub.log_pos = end;
                hub.apply(0, origin, write);
            }
            hub.log_pos = self.pos;
            hub.flush_marks();
        }
        n
    }
}

/// Writes queued frames, coalescing what is already queued into one system call.
async fn write_loop(
    mut w: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Out>,
    queued: Arc<AtomicUsize>,
) {
    let mut buf = Vec::with_capacity(64 * 1024);
    let large = |b: &Bytes| b.len() >= (64 << 10);
    let mut next = rx.recv().await;
    while let Some((b, counted)) = next.take() {
        // A large frame (a snapshot part) goes out as is, without a copy.
        if large(&b) {
            if w.write_all(&b).await.is_err() {
                return;
            }
            queued.fetch_sub(counted, Ordering::Relaxed);
            next = rx.recv().await;
            continue;
        }
        // Small frames already queued go out in one write, up to the next large one: a
        // snapshot's parts come right behind a joiner's mark and are not copied into it.
        buf.extend_from_slice(&b);
        let mut done = counted;
        while buf.len() < (1 << 20) {
            match rx.try_recv() {
                Ok((b, counted)) if !large(&b) => {
                    buf.extend_from_slice(&b);
                    done += counted;
                }
                Ok(item) => {
                    next = Some(item);
                    break;
                }
                Err(_) => break,
            }
        }
        if w.write_all(&buf).await.is_err() {
            return;
        }
        queued.fetch_sub(done, Ordering::Relaxed);
        buf.clear();
        if next.is_none() {
            next = rx.recv().await;
        }
    }
    let _ = w.shutdown().await;
}
