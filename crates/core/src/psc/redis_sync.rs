//! Keeps the L1 copies of several hosts consistent through Redis pub/sub.
//!
//! Values, not only invalidations: the point of a shared L1 is that a response fetched by one
//! process is served by all, so a set carries its JSON value. Redis delivers a channel's
//! messages to every subscriber in the order it executed the PUBLISHes, which gives the one
//! order every copy applies (own messages included, see `replica`). A value larger than
//! `max_publish_bytes` is published as a removal instead: the other hosts drop their stale
//! copy and fetch again, rather than every host receiving a large body it may never read.
//!
//! Pub/sub keeps no history: after the subscription is lost and restored, a replica may
//! have missed writes, so it empties itself (a cache miss is safe, a stale hit is not).
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use super::protocol::{decode, encode, Expiry, Frame, Scope, Write, WriteOp};
use super::replica::{
    apply_to_scope, lock, next_expiry, sweep_deadline, ChannelOutbox, Limits, Replica, Replicas,
};
use crate::{Code, Error, Result};

#[derive(Debug, Clone)]
pub struct RedisSyncOptions {
    pub channel: String,
    pub limits: Limits,
    pub max_publish_bytes: usize,
}

impl Default for RedisSyncOptions {
    fn default() -> Self {
        RedisSyncOptions {
            channel: "alova-psc".into(),
            limits: Limits::default(),
            max_publish_bytes: 64 * 1024,
        }
    }
}

enum Cmd {
    Publish(u64, Write),
    Stop,
}

pub struct RedisSync {
    tx: mpsc::UnboundedSender<Cmd>,
    replicas: Replicas,
    connected: Arc<AtomicBool>,
    limits: Limits,
}

impl RedisSync {
    /// Starts the publisher and the dedicated subscriber connection in a background thread.
    pub fn connect(
        url: &str,
        opts: RedisSyncOptions,
        on_event: Option<super::OnLinkEvent>,
    ) -> Result<RedisSync> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::with_cause(Code::InvalidArgument, "invalid Redis URL", &e))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let replicas: Replicas = Arc::default();
        let connected = Arc::new(AtomicBool::new(false));
        let (r, c) = (replicas.clone(), connected.clone());
        let limits = opts.limits;
        crate::runtime::spawn_thread("alova-psc-redis", run(client, opts, rx, r, c, on_event))?;
        Ok(RedisSync {
            tx,
            replicas,
            connected,
            limits,
        })
    }

    pub fn attach(&self, scope: Scope) -> Arc<Replica> {
        let origin = rand::random::<u64>() | 1;
        let out = Arc::new(ChannelOutbox {
            id: origin,
            tx: self.tx.clone(),
            nudge_queued: Default::default(),
            make: Cmd::Publish,
            nudge: None,
            offer: None,
        });
        let replica = Arc::new(Replica::new(scope, out, self.limits, origin));
        // Pub/sub has no state to fetch: a copy starts from what it hears.
        replica.mark_synced();
        lock(&self.replicas).push((origin, replica.clone()));
        replica
    }

    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// Publishes what is queued, then closes both connections.
    pub fn stop(&self) {
        let _ = self.tx.send(Cmd::Stop);
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

async fn run(
    client: redis::Client,
    opts: RedisSyncOptions,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    replicas: Replicas,
    connected: Arc<AtomicBool>,
    on_event: Option<super::OnLinkEvent>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sub = tokio::spawn(subscribe_loop(
        client.clone(),
        opts.channel.clone(),
        replicas.clone(),
        connected,
        on_event,
        stop_rx,
    ));
    let mut con: Option<redis::aio::MultiplexedConnection> = None;
    while let Some(cmd) = rx.recv().await {
        let Cmd::Publish(origin, mut write) = cmd else {
            break;
        };
        if let WriteOp::Set { key, value } = &write.op {
            if value.len() > opts.max_publish_bytes {
                write.op = WriteOp::Remove { key: key.clone() };
            }
        }
        // Without the expiry: subscribers of older builds refuse a field they do not know.
        let payload = encode(&Frame::Event {
            origin,
            write,
            expiry: Expiry::Unread,
        });
        if con.is_none() {
            con = tokio::time::timeout(CONNECT_TIMEOUT, client.get_multiplexed_async_connection())
                .await
                .ok()
                .and_then(|r| r.ok());
        }
        let sent = match con.as_mut() {
            Some(c) => redis::cmd("PUBLISH")
                .arg(&opts.channel)
                .arg(&payload[4..])
                .query_async::<i64>(c)
                .await
                .is_ok(),
            None => false,
        };
        if !sent {
            // The echo will never come: forget in-flight writes and what may be stale.
            con = None;
            for (_, r) in lock(&replicas).iter() {
                r.reset();
            }
        }
    }
    let _ = stop_tx.send(true);
    let _ = sub.await;
}

async fn subscribe_loop(
    client: redis::Client,
    channel: String,
    replicas: Replicas,
    connected: Arc<AtomicBool>,
    on_event: Option<super::OnLinkEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let mut first = true;
    let mut backoff = Duration::from_millis(50);
    loop {
        let attempt = async {
            let mut ps = client.get_async_pubsub().await?;
            ps.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(ps)
        };
        let ps = tokio::select! {
            _ = stop.changed() => return,
            r = tokio::time::timeout(CONNECT_TIMEOUT, attempt) => r.ok().and_then(|r| r.ok()),
        };
        let Some(mut ps) = ps else {
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_millis(1000));
            continue;
        };
        backoff = Duration::from_millis(50);
        if !first {
            for (_, r) in lock(&replicas).iter() {
                r.reset();
            }
        }
        first = false;
        connected.store(true, Ordering::Release);
        if let Some(f) = &on_event {
            f(super::LinkEvent::Connected);
        }
        let mut swept = tokio::time::Instant::now();
        {
            let mut messages = ps.on_message();
            loop {
                tokio::select! {
                    _ = stop.changed() => { connected.store(false, Ordering::Release); return; }
                    _ = tokio::time::sleep_until(sweep_deadline(next_expiry(&replicas), swept)) => {
                        swept = tokio::time::Instant::now();
                        for (_, r) in lock(&replicas).iter() { r.sweep(); }
                    }
                    msg = messages.next() => {
                        let Some(msg) = msg else { break };
                        let Ok(Frame::Event { origin, write, .. }) = decode(msg.get_payload_bytes()) else { continue };
                        // Values reach JSON.parse in every process: skip anything else. The
                        // same pass reads the expiry.
                        let expiry = match &write.op {
                            WriteOp::Set { value, .. } => match super::json_text::scan(value) {
                                Some(t) => Expiry::Read(t),
                                None => continue,
                            },
                            _ => Expiry::Unread,
                        };
                        apply_to_scope(&replicas, write, expiry, |id, _| id == origin);
                    }
                }
            }
        }
        connected.store(false, Ordering::Release);
    }
}
