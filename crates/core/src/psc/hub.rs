//! The hub: one thread in the cluster primary that decides the order of every write.
//!
//! Transport: a tokio `UnixListener` on a well-known path per app id (in a 0700 directory,
//! socket mode 0600). ipc-channel is not used: its `IpcOneShotServer` hands one fresh name to
//! one child the parent spawns, while `node:cluster` forks workers itself and they come and
//! go; a second process connecting to a one-shot name is silently lost.
//!
//! One task (the sequencer) owns the store and every connection's outgoing queue, so the
//! order in which writes are applied is the order in which every client receives them.
//! A client's malformed or oversized frame closes that client only.
use std::collections::{HashMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};

use super::protocol::{
    decode, encode, now_ms, read_frame, Frame, Scope, Write, WriteOp, DEFAULT_MAX_FRAME,
};
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

/// Snapshot parts stay well below any sane frame limit.
const SNAPSHOT_PART_BYTES: usize = 1 << 20;

pub struct Hub {
    path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    done: Option<std::sync::mpsc::Receiver<()>>,
}

type Bytes = Arc<Vec<u8>>;

enum Msg {
    Join(
        u64,
        mpsc::UnboundedSender<Bytes>,
        tokio::task::JoinHandle<()>,
    ),
    Frame(u64, Frame),
    Leave(u64),
}

struct Conn {
    tx: mpsc::UnboundedSender<Bytes>,
    writer: tokio::task::JoinHandle<()>,
    scopes: HashSet<Scope>,
}

fn io_err(context: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(Code::Psc, format!("{context} {}: {e}", path.display()))
}

/// Creates the socket's directory owner-only, so other users cannot reach the socket.
pub fn prepare_dir(path: &Path) -> Result<()> {
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io_err("cannot restrict", dir, e))?;
    }
    Ok(())
}

impl Hub {
    /// Binds `path` and serves it on a new thread. Fails if a live hub already serves it; a
    /// stale socket file left by a dead hub is removed.
    pub fn start(path: &Path, opts: HubOptions) -> Result<Hub> {
        prepare_dir(path)?;
        if path.exists() {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(Error::new(
                    Code::Psc,
                    format!(
                        "a shared-cache hub is already listening on {}",
                        path.display()
                    ),
                ));
            }
            std::fs::remove_file(path)
                .map_err(|e| io_err("cannot remove stale socket", path, e))?;
        }
        let std_listener = std::os::unix::net::UnixListener::bind(path)
            .map_err(|e| io_err("cannot listen on", path, e))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_err("cannot restrict", path, e))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| io_err("cannot configure", path, e))?;
        let epoch: u64 = rand::random::<u64>() | 1;
        // The shared log of the fast path; without it workers use the socket alone.
        #[cfg(target_os = "linux")]
        let ring = super::ring::Ring::create(
            &path.with_extension("ring"),
            epoch,
            super::ring::DEFAULT_CAPACITY,
        )
        .ok();
        #[cfg(not(target_os = "linux"))]
        let ring: Option<()> = None;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let owned = path.to_path_buf();
        super::spawn_thread("alova-psc-hub", async move {
            if let Ok(listener) = UnixListener::from_std(std_listener) {
                serve(listener, opts, epoch, ring, stop_rx).await;
            }
            let _ = std::fs::remove_file(&owned);
            let _ = std::fs::remove_file(owned.with_extension("ring"));
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
    /// removes the socket file. Waits at most two seconds.
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
    ring: Option<LogRing>,
    mut stop: oneshot::Receiver<()>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let accept_tx = tx.clone();
    let accept = tokio::spawn(async move {
        let mut next_id = 0u64;
        while let Ok((stream, _)) = listener.accept().await {
            next_id += 1;
            let id = next_id;
            let (r, w) = stream.into_split();
            let (out_tx, out_rx) = mpsc::unbounded_channel();
            let writer = tokio::spawn(write_loop(w, out_rx));
            if accept_tx.send(Msg::Join(id, out_tx, writer)).is_err() {
                break;
            }
            let msgs = accept_tx.clone();
            tokio::spawn(async move {
                let mut r = BufReader::with_capacity(64 * 1024, r);
                while let Ok(Some(body)) = read_frame(&mut r, opts.max_frame).await {
                    match decode(&body) {
                        Ok(
                            f @ (Frame::Subscribe { .. }
                            | Frame::Write(_)
                            | Frame::Offer { .. }
                            | Frame::Nudge),
                        ) if values_are_json(&f) => {
                            if msgs.send(Msg::Frame(id, f)).is_err() {
                                return;
                            }
                        }
                        _ => break,
                    }
                }
                let _ = msgs.send(Msg::Leave(id));
            });
        }
    });
    drop(tx);
    let mut store = Store::new(opts.max_entries);
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    // Writers nudge after appending to the log; this also reads it if a nudge was lost.
    let mut poll = tokio::time::interval(Duration::from_millis(50));
    let mut log = Log { ring, pos: 0 };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = sweep.tick() => store.sweep(now_ms()),
            _ = poll.tick() => log.catch_up(&mut store, &conns),
            msg = rx.recv() => {
                let Some(msg) = msg else { break };
                match msg {
                    Msg::Join(id, tx, writer) => {
                        let _ = tx.send(Arc::new(encode(&Frame::Welcome { epoch, conn: id })));
                        conns.insert(id, Conn { tx, writer, scopes: HashSet::new() });
                    }
                    Msg::Leave(id) => {
                        conns.remove(&id);
                    }
                    Msg::Frame(id, frame) => {
                        // The log's records come first: a writer appended them before
                        // anything it sends afterwards.
                        log.catch_up(&mut store, &conns);
                        handle(&mut store, &mut conns, id, frame);
                    }
                }
            }
        }
    }
    accept.abort();
    // Flush before close: writers end once their queue is drained and dropped.
    let writers: Vec<_> = conns.into_values().map(|c| c.writer).collect();
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        futures_util::future::join_all(writers),
    )
    .await;
}

/// Values are JSON text handed to `JSON.parse` in every worker: a peer sending anything else
/// is treated as sending a malformed frame.
fn values_are_json(f: &Frame) -> bool {
    let json = |v: &str| serde_json::from_str::<serde::de::IgnoredAny>(v).is_ok();
    match f {
        Frame::Write(Write {
            op: WriteOp::Set { value, .. },
            ..
        }) => json(value),
        Frame::Offer { entries, .. } => entries.iter().all(|(_, v)| json(v)),
        _ => true,
    }
}

fn broadcast(conns: &HashMap<u64, Conn>, scope: &Scope, also: u64, frame: &Frame) {
    let bytes = Arc::new(encode(frame));
    for (id, c) in conns {
        if *id == also || c.scopes.contains(scope) {
            let _ = c.tx.send(bytes.clone());
        }
    }
}

#[cfg(target_os = "linux")]
type LogRing = super::ring::Ring;
#[cfg(not(target_os = "linux"))]
type LogRing = ();

/// The hub's reading position in the shared log.
struct Log {
    ring: Option<LogRing>,
    pos: u64,
}

impl Log {
    /// Orders and applies the records appended since the last call, like socket writes.
    fn catch_up(&mut self, store: &mut Store, conns: &HashMap<u64, Conn>) {
        #[cfg(target_os = "linux")]
        if let Some(ring) = &self.ring {
            let mut writes = Vec::new();
            ring.read(&mut self.pos, |body| {
                if let Ok(Frame::Event { write, .. }) = decode(body) {
                    writes.push(write);
                }
            });
            ring.set_hub_pos(self.pos);
            for write in writes {
                let evicted = store.apply(&write.scope, &write.op);
                let scope = write.scope.clone();
                broadcast(conns, &scope, 0, &Frame::Event { origin: 0, write });
                evict(conns, &scope, evicted);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (store, conns);
    }
}

fn handle(store: &mut Store, conns: &mut HashMap<u64, Conn>, id: u64, frame: Frame) {
    match frame {
        Frame::Subscribe { scope } => {
            let Some(c) = conns.get_mut(&id) else { return };
            c.scopes.insert(scope.clone());
            let entries = store.snapshot(&scope, now_ms());
            let mut part = Vec::new();
            let mut bytes = 0;
            for (k, v) in entries {
                bytes += k.len() + v.len() + 8;
                part.push((k, v));
                if bytes >= SNAPSHOT_PART_BYTES {
                    let entries = std::mem::take(&mut part);
                    bytes = 0;
                    let f = Frame::Snapshot {
                        scope: scope.clone(),
                        entries,
                        last: false,
                    };
                    let _ = c.tx.send(Arc::new(encode(&f)));
                }
            }
            let f = Frame::Snapshot {
                scope,
                entries: part,
                last: true,
            };
            let _ = c.tx.send(Arc::new(encode(&f)));
        }
        Frame::Write(write) => {
            let evicted = store.apply(&write.scope, &write.op);
            let scope = write.scope.clone();
            broadcast(conns, &scope, id, &Frame::Event { origin: id, write });
            evict(conns, &scope, evicted);
        }
        Frame::Offer { scope, entries } => {
            let now = now_ms();
            for (key, value) in entries {
                let live = super::protocol::expiry_of(&value).is_none_or(|t| t > now);
                if !live || store.contains(&scope, &key) {
                    continue;
                }
                let op = WriteOp::Set { key, value };
                let evicted = store.apply(&scope, &op);
                broadcast(
                    conns,
                    &scope,
                    0,
                    &Frame::Event {
                        origin: 0,
                        write: Write {
                            scope: scope.clone(),
                            origin: 0,
                            seq: 0,
                            op,
                        },
                    },
                );
                evict(conns, &scope, evicted);
            }
        }
        _ => {}
    }
}

fn evict(conns: &HashMap<u64, Conn>, scope: &Scope, keys: Vec<String>) {
    for key in keys {
        let write = Write {
            scope: scope.clone(),
            origin: 0,
            seq: 0,
            op: WriteOp::Remove { key },
        };
        broadcast(conns, scope, 0, &Frame::Event { origin: 0, write });
    }
}

/// Writes queued frames, coalescing what is already queued into one system call.
async fn write_loop(mut w: OwnedWriteHalf, mut rx: mpsc::UnboundedReceiver<Bytes>) {
    let mut buf = Vec::with_capacity(64 * 1024);
    while let Some(b) = rx.recv().await {
        // A large frame (a snapshot part) goes out as is, without a copy.
        if b.len() >= (64 << 10) {
            if w.write_all(&b).await.is_err() {
                return;
            }
            continue;
        }
        buf.extend_from_slice(&b);
        while buf.len() < (1 << 20) {
            match rx.try_recv() {
                Ok(b) => buf.extend_from_slice(&b),
                Err(_) => break,
            }
        }
        if w.write_all(&buf).await.is_err() {
            return;
        }
        buf.clear();
    }
    let _ = w.shutdown().await;
}
