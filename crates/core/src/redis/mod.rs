//! A Redis client for cache storage: one multiplexed connection (or a cluster connection) that
//! reconnects on its own, a time limit on every operation, values as strings (JSON text made
//! and parsed by the caller), and the few commands a cache and its locks need.
mod conn;
mod options;
mod reconnect;
mod value;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use redis::{AsyncCommands, Script};

use crate::{Code, Error, Result};
pub use conn::Conn;
pub use options::{Options, Sentinel, Tls};
pub use redis::Value;
pub use value::server_error;

/// Receives `(channel, message)` for subscribed channels.
pub type OnMessage = Arc<dyn Fn(String, String) + Send + Sync>;

pub struct Client {
    conn: Conn,
    /// What the client was made from, for subscriber connections.
    opts: Options,
    /// The subscriber connection (made on first subscribe) and its channels.
    subscriber: tokio::sync::Mutex<Option<(redis::aio::PubSubSink, HashSet<String>)>>,
    timeout: Duration,
    /// Scripts by source text, so EVALSHA is used after the first call.
    scripts: DashMap<String, Arc<Script>>,
}

impl Client {
    /// Creates the client without connecting: the first command connects, so a Redis that is
    /// down at start-up only fails commands (and works once it is up). Must run inside a tokio
    /// runtime.
    pub fn new(opts: &Options) -> Result<Client> {
        Ok(Client {
            conn: Conn::lazy(opts)?,
            opts: opts.clone(),
            subscriber: tokio::sync::Mutex::new(None),
            timeout: opts.command_timeout,
            scripts: DashMap::new(),
        })
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self.conn, Conn::Cluster(_))
    }

    async fn limited<T>(
        &self,
        fut: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(redis_error(&e)),
            Err(_) => Err(Error::new(
                Code::Timeout,
                format!(
                    "Redis operation timed out after {}ms",
                    self.timeout.as_millis()
                ),
            )),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        let mut c = self.conn.clone();
        self.limited(c.get::<_, Option<String>>(key)).await
    }

    /// Sends commands as one pipeline, in order, and returns their raw replies (an error
    /// reply among them is a `Value::ServerError`).
    pub async fn exec(&self, cmds: &[Vec<String>]) -> Result<Vec<Value>> {
        let mut parsed = Vec::with_capacity(cmds.len());
        for args in cmds {
            let Some((name, rest)) = args.split_first() else {
                return Err(Error::new(Code::InvalidArgument, "empty Redis command"));
            };
            let mut cmd = redis::cmd(name);
            cmd.arg(rest);
            parsed.push(cmd);
        }
        let replies = if self.is_cluster() {
            // A cluster pipeline must stay within one slot, so commands go side by side,
            // except that the commands of one key go one after another, in order.
            let mut slot_of: std::collections::HashMap<&str, usize> =
                std::collections::HashMap::new();
            let mut by_key: Vec<Vec<(usize, redis::Cmd)>> = Vec::new();
            for (i, cmd) in parsed.into_iter().enumerate() {
                let key = cmds[i].get(1).map(String::as_str).unwrap_or("");
                let g = *slot_of.entry(key).or_insert_with(|| {
                    by_key.push(Vec::new());
                    by_key.len() - 1
                });
                by_key[g].push((i, cmd));
            }
            let conn = &self.conn;
            let groups = by_key.into_iter().map(|group| async move {
                let mut out = Vec::with_capacity(group.len());
                for (i, cmd) in group {
                    out.push((i, cmd.query_async::<redis::Value>(&mut conn.clone()).await?));
                }
                Ok::<_, redis::RedisError>(out)
            });
            let done = self
                .limited(futures_util::future::try_join_all(groups))
                .await?;
            let mut replies = vec![redis::Value::Nil; cmds.len()];
            for (i, v) in done.into_iter().flatten() {
                replies[i] = v;
            }
            replies
        } else {
            let mut pipe = redis::pipe();
            for cmd in parsed {
                pipe.add_command(cmd);
            }
            let mut c = self.conn.clone();
            self.limited(pipe.query_async::<Vec<redis::Value>>(&mut c))
                .await?
        };
        Ok(replies)
    }

    /// Sends one command and returns its raw reply (for callers that need its type).
    pub async fn command(&self, args: &[String]) -> Result<redis::Value> {
        let Some((name, rest)) = args.split_first() else {
            return Err(Error::new(Code::InvalidArgument, "empty Redis command"));
        };
        let mut cmd = redis::cmd(name);
        cmd.arg(rest);
        let mut c = self.conn.clone();
        let v = self
            .limited(cmd.query_async::<redis::Value>(&mut c))
            .await?;
        if let redis::Value::ServerError(e) = &v {
            return Err(value::server_error(e));
        }
        Ok(v)
    }

    /// Subscribes to `channels` on a connection of their own (Redis gives a subscribed
    /// connection to pub/sub alone), made on first use; `on_message(channel, message)` gets
    /// every message (the one given first is kept). Returns how many channels are subscribed.
    pub async fn subscribe(&self, channels: &[String], on_message: OnMessage) -> Result<usize> {
        let mut guard = self.subscriber.lock().await;
        if guard.is_none() {
            let client = conn::pubsub_client(&self.opts).await?;
            let pubsub = self.limited(client.get_async_pubsub()).await?;
            let (sink, mut stream) = pubsub.split();
            tokio::spawn(async move {
                use futures_util::StreamExt;
                // Ends when the connection closes (the sink dropped, or Redis gone).
                while let Some(msg) = stream.next().await {
                    let payload = String::from_utf8_lossy(msg.get_payload_bytes()).into_owned();
                    on_message(msg.get_channel_name().to_string(), payload);
                }
            });
            *guard = Some((sink, HashSet::new()));
        }
        let Some((sink, subscribed)) = guard.as_mut() else {
            return Err(Error::new(Code::Internal, "subscriber missing"));
        };
        self.limited(sink.subscribe(channels)).await?;
        subscribed.extend(channels.iter().cloned());
        Ok(subscribed.len())
    }

    /// Unsubscribes from `channels` (every channel when empty); returns how many stay.
    pub async fn unsubscribe(&self, channels: &[String]) -> Result<usize> {
        let mut guard = self.subscriber.lock().await;
        let Some((sink, subscribed)) = guard.as_mut() else {
            return Ok(0);
        };
        let channels: Vec<String> = if channels.is_empty() {
            subscribed.iter().cloned().collect()
        } else {
            channels.to_vec()
        };
        self.limited(sink.unsubscribe(&channels)).await?;
        for c in &channels {
            subscribed.remove(c);
        }
        Ok(subscribed.len())
    }

    /// `SET key value [PX ms]`.
    pub async fn set(&self, key: &str, value: &str, px: Option<u64>) -> Result<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value);
        if let Some(ms) = px {
            cmd.arg("PX").arg(ms.max(1));
        }
        let mut c = self.conn.clone();
        self.limited(cmd.query_async::<()>(&mut c)).await
    }

    pub async fn del(&self, key: &str) -> Result<()> {
        let mut c = self.conn.clone();
        self.limited(c.del::<_, ()>(key)).await
    }

    /// Deletes every key that starts with `prefix` followed by one of `spaces` (all keys under
    /// `prefix` when `spaces` is empty), with SCAN + UNLINK on every primary of a cluster;
    /// returns how many were deleted. Not atomic: keys written meanwhile may stay.
    pub async fn clear(&self, prefix: &str, spaces: &[String]) -> Result<u64> {
        if prefix.is_empty() {
            return Err(Error::new(
                Code::InvalidArgument,
                "clear() needs a non-empty key prefix; it would delete the whole database",
            ));
        }
        let pattern = format!("{}*", glob_escape(prefix));
        let conn = self.conn.clone();
        // The whole sweep gets one limit per batch rather than one overall: a large keyspace
        // takes many round trips, each of which must answer in time.
        let mut total = 0;
        for node in self.limited(conn.scan_targets()).await? {
            let mut cursor: u64 = 0;
            loop {
                let (next, mut keys): (u64, Vec<String>) = self
                    .limited(conn.scan_on(&node, cursor, &pattern, 1000))
                    .await?;
                if !spaces.is_empty() {
                    keys.retain(|k| {
                        let rest = k.get(prefix.len()..).unwrap_or("");
                        spaces.iter().any(|s| rest.starts_with(s.as_str()))
                    });
                }
                if !keys.is_empty() {
                    total += keys.len() as u64;
                    self.limited(conn.unlink(&keys)).await?;
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        Ok(total)
    }

    /// Runs a Lua script (EVALSHA, loading it on NOSCRIPT) and returns the raw reply.
    pub async fn eval(
        &self,
        script: &str,
        keys: &[String],
        args: &[String],
    ) -> Result<redis::Value> {
        let s = match self.scripts.get(script) {
            Some(s) => s.clone(),
            None => self
                .scripts
                .entry(script.to_string())
                .or_insert_with(|| Arc::new(Script::new(script)))
                .clone(),
        };
        let mut inv = s.prepare_invoke();
        for k in keys {
            inv.key(k);
        }
        for a in args {
            inv.arg(a);
        }
        let mut c = self.conn.clone();
        self.limited(async move { inv.invoke_async::<redis::Value>(&mut c).await })
            .await
    }
}

fn redis_error(e: &redis::RedisError) -> Error {
    if e.is_timeout() {
        return Error::new(Code::Timeout, format!("Redis operation timed out: {e}"));
    }
    // The JS layer counts only unreachability towards its circuit breaker, not replies such
    // as a script error, so the two have their own codes.
    if e.is_io_error()
        || e.is_connection_refusal()
        || e.is_connection_dropped()
        || e.is_cluster_error()
    {
        Error::new(Code::RedisUnavailable, format!("Redis unreachable: {e}"))
    } else if let Some(code) = e.code() {
        // An error reply, in the words Redis used (`NOSCRIPT No matching script...`).
        let text = match e.detail() {
            Some(d) => format!("{code} {d}"),
            None => code.to_string(),
        };
        Error::new(Code::Redis, format!("Redis replied: {text}"))
    } else {
        Error::new(Code::Redis, format!("Redis replied: {e}"))
    }
}

/// Escapes the characters that are special in a SCAN MATCH pattern.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::glob_escape;

    #[test]
    fn escapes_glob_characters() {
        assert_eq!(glob_escape("alova:"), "alova:");
        assert_eq!(glob_escape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
