//! `RedisClient`: the native Redis connection behind `@alova/native/storage-redis`. Values
//! cross as strings (JSON text); script replies cross as JSON text.
use std::sync::{Arc, OnceLock, RwLock};

use napi::bindgen_prelude::{Buffer, Function, PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};

use alova_core::redis::{self as core, Client};
use alova_core::{Code, Error};

use crate::completion::Completions;
use crate::error::{guard, invalid_arg, promise, to_js, Failure, Result};

#[napi(object)]
pub struct RedisClientOptions {
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u32>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: Option<i64>,
    /// Redis Cluster seed nodes as `host:port` or URLs.
    pub nodes: Option<Vec<String>>,
    /// A unix socket path instead of host and port.
    pub path: Option<String>,
    /// TLS to the server (implied by a `rediss://` url).
    pub tls: Option<RedisTlsOptions>,
    /// Sentinel addresses; with them `name` is the master group to ask for.
    pub sentinels: Option<Vec<RedisSentinelAddress>>,
    pub name: Option<String>,
    /// `master` (default) or `slave`.
    pub role: Option<String>,
    pub sentinel_username: Option<String>,
    pub sentinel_password: Option<String>,
    /// Milliseconds one operation may take (default 1000).
    pub command_timeout: Option<f64>,
    /// Milliseconds one connection attempt may take (default 1000).
    pub connect_timeout: Option<f64>,
}

#[napi(object)]
pub struct RedisTlsOptions {
    /// PEM text of the trusted CA certificates.
    pub ca: Option<Buffer>,
    pub cert: Option<Buffer>,
    pub key: Option<Buffer>,
    pub reject_unauthorized: Option<bool>,
    pub servername: Option<String>,
}

#[napi(object)]
pub struct RedisSentinelAddress {
    pub host: String,
    pub port: u32,
}

fn tls_options(t: RedisTlsOptions) -> core::Tls {
    core::Tls {
        ca: t.ca.map(|b| b.to_vec()),
        cert: t.cert.map(|b| b.to_vec()),
        key: t.key.map(|b| b.to_vec()),
        reject_unauthorized: t.reject_unauthorized.unwrap_or(true),
        servername: t.servername,
    }
}

fn key_bound(name: &str, key: &str) -> alova_core::Result<()> {
    crate::validate::bounded(name, key, crate::validate::MAX_REDIS_KEY_BYTES)
}

fn port_of(p: u32) -> Result<u16> {
    if p == 0 || p > 65535 {
        return Err(invalid_arg(format!("invalid Redis port {p}")));
    }
    Ok(p as u16)
}

fn sentinel_options(
    sentinels: Option<Vec<RedisSentinelAddress>>,
    name: Option<String>,
    role: Option<String>,
    username: Option<String>,
    password: Option<String>,
) -> Result<Option<core::Sentinel>> {
    let Some(list) = sentinels else {
        return Ok(None);
    };
    let sentinels = list
        .into_iter()
        .map(|a| Ok((a.host, port_of(a.port)?)))
        .collect::<Result<Vec<_>>>()?;
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Err(invalid_arg(
            "`name` (the master group) is required with `sentinels`",
        ));
    };
    let replica = match role.as_deref() {
        None | Some("master") => false,
        Some("slave") => true,
        Some(r) => {
            return Err(invalid_arg(format!(
                "`role` must be 'master' or 'slave', got {r:?}"
            )))
        }
    };
    Ok(Some(core::Sentinel {
        sentinels,
        name,
        replica,
        username,
        password,
    }))
}

/// `(channel, message)` for a message on a subscribed channel.
type Message = (String, String);
type MessageFn = ThreadsafeFunction<Message, Unknown<'static>, Message, Status, false, true>;

/// The outcome of a task on the Redis I/O thread that returns a count.
fn joined(
    r: std::result::Result<alova_core::Result<usize>, tokio::task::JoinError>,
) -> alova_core::Result<u32> {
    match r {
        Ok(r) => r.map(|n| n as u32),
        Err(e) => Err(Error::new(Code::Internal, format!("Redis task: {e}"))),
    }
}

/// The outcome of a pipeline sent with `submit`: its replies (each as text, `null` for nil)
/// or the failure of the whole pipeline.
#[napi(object)]
pub struct PipelineReply {
    pub id: u32,
    pub failure: Option<Failure>,
    pub replies: Option<Vec<Option<String>>>,
}

impl PipelineReply {
    fn new(id: u32, outcome: alova_core::Result<Vec<Option<String>>>) -> Self {
        match outcome {
            Ok(replies) => PipelineReply {
                id,
                failure: None,
                replies: Some(replies),
            },
            Err(e) => PipelineReply {
                id,
                failure: Some(e.into()),
                replies: None,
            },
        }
    }
}

/// Every connection made by `create` lives on the Redis I/O thread (see
/// `alova_core::runtime`): its socket, its driver and the commands sent with `submit`.
fn io_runtime() -> &'static alova_core::runtime::Io {
    static RT: OnceLock<alova_core::runtime::Io> = OnceLock::new();
    alova_core::runtime::dedicated(&RT, "alova-redis")
}

#[napi]
pub struct RedisClient {
    inner: RwLock<Option<Arc<Client>>>,
    /// Pipelines sent with `submit`, answered through `take` (see `completion`).
    done: Arc<Completions<PipelineReply>>,
    on_message: OnceLock<Arc<MessageFn>>,
}

#[napi]
impl RedisClient {
    /// Creates the client; it connects on first use and reconnects by itself.
    /// `onReady()` is called when answered pipelines can be collected with `take()`.
    #[napi(catch_unwind, factory)]
    pub fn create(
        options: Option<RedisClientOptions>,
        on_ready: Function<'_, (), ()>,
    ) -> Result<RedisClient> {
        guard(|| Self::make(options, on_ready))
    }

    fn make(
        options: Option<RedisClientOptions>,
        on_ready: Function<'_, (), ()>,
    ) -> Result<RedisClient> {
        let options = options.ok_or_else(|| invalid_arg("RedisClient options are required"))?;
        let port = options.port.map(port_of).transpose()?;
        let sentinel = sentinel_options(
            options.sentinels,
            options.name,
            options.role,
            options.sentinel_username,
            options.sentinel_password,
        )?;
        let opts = core::Options {
            url: options.url,
            host: options.host,
            port,
            username: options.username,
            password: options.password,
            db: options.db,
            nodes: options.nodes.unwrap_or_default(),
            path: options.path,
            tls: options.tls.map(tls_options),
            sentinel,
            command_timeout: crate::validate::deadline(options.command_timeout, 1000),
            connect_timeout: crate::validate::deadline(options.connect_timeout, 1000),
        };
        let client = {
            let _in_io_runtime = io_runtime().handle().enter();
            Client::new(&opts).map_err(to_js)?
        };
        Ok(RedisClient {
            inner: RwLock::new(Some(Arc::new(client))),
            done: Arc::new(Completions::new(on_ready)?),
            on_message: OnceLock::new(),
        })
    }

    fn client(&self) -> alova_core::Result<Arc<Client>> {
        self.inner
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or_else(|| Error::new(Code::RedisUnavailable, "Redis client is closed"))
    }

    #[napi(catch_unwind, getter)]
    pub fn is_cluster(&self) -> Result<bool> {
        guard(|| Ok(self.client().map(|c| c.is_cluster()).unwrap_or(false)))
    }

    /// Sends commands (each `[name, ...args]`) as one pipeline, in order; its outcome comes
    /// from `take()`. A sync call that returns at once; cheaper than a promise per call.
    #[napi(catch_unwind)]
    pub fn submit(&self, env: &Env, id: u32, cmds: Vec<Vec<String>>) -> Result<()> {
        guard(|| {
            self.done.begin(env)?;
            let done = self.done.clone();
            let client = match self.client() {
                Ok(client) => client,
                Err(e) => {
                    done.push(PipelineReply::new(id, Err(e)));
                    return Ok(());
                }
            };
            io_runtime().submit(move || async move {
                let replies = client.exec(&cmds).await.and_then(|replies| {
                    // A command that failed fails the whole pipeline.
                    replies.into_iter().map(crate::reply::to_text).collect()
                });
                done.push(PipelineReply::new(id, replies));
            });
            Ok(())
        })
    }

    /// The pipelines answered since the last call.
    #[napi(catch_unwind)]
    pub fn take(&self, env: &Env) -> Result<Vec<PipelineReply>> {
        guard(|| self.done.take(env))
    }

    /// Deletes every key under `prefix` that continues with one of `spaces` (every key under
    /// `prefix` when `spaces` is empty); resolves the number deleted.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn clear<'env>(
        &self,
        env: &'env Env,
        prefix: String,
        spaces: Vec<String>,
    ) -> Result<PromiseRaw<'env, f64>> {
        let client = self.client();
        guard(|| {
            promise(env, async move {
                key_bound("prefix", &prefix)?;
                for space in &spaces {
                    key_bound("spaces", space)?;
                }
                Ok(client?.clear(&prefix, &spaces).await? as f64)
            })
        })
    }

    /// Runs a Lua script (EVALSHA with EVAL fallback); resolves its reply as JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn eval<'env>(
        &self,
        env: &'env Env,
        script: String,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<PromiseRaw<'env, String>> {
        let client = self.client();
        guard(|| {
            promise(env, async move {
                for key in &keys {
                    key_bound("keys", key)?;
                }
                crate::reply::to_json(&client?.eval(&script, &keys, &args).await?)
            })
        })
    }

    /// Sends one command (`[name, ...args]`); resolves its reply as JSON text (integers as
    /// numbers, nil as null, arrays as arrays).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn command<'env>(
        &self,
        env: &'env Env,
        args: Vec<String>,
    ) -> Result<PromiseRaw<'env, String>> {
        let client = self.client();
        guard(|| {
            promise(env, async move {
                crate::reply::to_json(&client?.command(&args).await?)
            })
        })
    }

    /// Sets the function that receives `[channel, message]` for subscribed channels (once).
    #[napi(
        catch_unwind,
        ts_args_type = "onMessage: (message: [channel: string, message: string]) => void"
    )]
    pub fn on_message(&self, on_message: Function<Message, Unknown<'static>>) -> Result<()> {
        guard(|| {
            let f = on_message
                .build_threadsafe_function::<Message>()
                .weak::<true>()
                .callee_handled::<false>()
                .build()
                .map_err(|e| invalid_arg(format!("onMessage: {e}")))?;
            let _ = self.on_message.set(Arc::new(f));
            Ok(())
        })
    }

    /// Subscribes to channels on a connection of their own (made on first use); resolves how
    /// many channels are subscribed. Messages go to the `onMessage` function.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn subscribe<'env>(
        &self,
        env: &'env Env,
        channels: Vec<String>,
    ) -> Result<PromiseRaw<'env, u32>> {
        let client = self.client();
        let on_message = self.on_message.get().cloned();
        guard(|| {
            promise(env, async move {
                let client = client?;
                let Some(f) = on_message else {
                    return Err(Error::new(
                        Code::InvalidArgument,
                        "onMessage must be set before subscribe",
                    ));
                };
                let on_message: core::OnMessage = Arc::new(move |channel, message| {
                    f.call((channel, message), ThreadsafeFunctionCallMode::NonBlocking);
                });
                // On the Redis I/O thread, where the subscriber connection's reader runs.
                let task = io_runtime()
                    .spawn(async move { client.subscribe(&channels, on_message).await });
                joined(task.await)
            })
        })
    }

    /// Unsubscribes from channels (all when empty); resolves how many stay subscribed.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn unsubscribe<'env>(
        &self,
        env: &'env Env,
        channels: Vec<String>,
    ) -> Result<PromiseRaw<'env, u32>> {
        let client = self.client();
        guard(|| {
            promise(env, async move {
                let client = client?;
                let task = io_runtime().spawn(async move { client.unsubscribe(&channels).await });
                joined(task.await)
            })
        })
    }

    /// Drops the connection; later calls reject.
    #[napi(catch_unwind)]
    pub fn close(&self) -> Result<()> {
        guard(|| {
            if let Ok(mut g) = self.inner.write() {
                g.take();
            }
            Ok(())
        })
    }
}
