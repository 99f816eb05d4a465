//! `RedisClient`: the native Redis connection behind `@alova/native/storage-redis`. Values
//! cross as strings (JSON text); script replies cross as JSON text.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use napi::bindgen_prelude::{Function, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};

use alova_core::redis::{self as core, Client};
use alova_core::{Code, Error};

use crate::error::{invalid_arg, to_js, Result};

// Async napi functions can only reject with a plain `napi::Error`, whose `code` is a napi
// status; the stable code travels as a `ERR_ALOVA_*: ` message prefix that the JS layer
// moves back into `err.code`. (Write `napi::Result` in signatures: the macro recognises a
// result type only by that name; an alias makes the error a resolved value.)
fn to_js_async(err: Error) -> napi::Error {
    napi::Error::from_reason(format!("{}: {}", err.code.as_str(), err.message))
}

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
    /// Milliseconds one operation may take (default 1000).
    pub command_timeout: Option<f64>,
    /// Milliseconds one connection attempt may take (default 1000).
    pub connect_timeout: Option<f64>,
}

/// `(id, error, replies)` for a pipeline sent with `submit`.
type Reply = (u32, Option<String>, Option<Vec<Option<String>>>);
type ReplyFn = ThreadsafeFunction<Reply, Unknown<'static>, Reply, Status, false, true>;

/// Every connection made by `create` lives on the Redis I/O thread (see
/// `runtime::dedicated`): its socket, its driver and the commands sent with `submit`.
fn io_runtime() -> &'static tokio::runtime::Handle {
    static RT: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    crate::runtime::dedicated(&RT, "alova-redis")
}

#[napi]
pub struct RedisClient {
    inner: RwLock<Option<Arc<Client>>>,
    on_reply: Arc<ReplyFn>,
    /// Pipelines sent with `submit` and not answered yet; while there are any, the reply
    /// callback keeps the event loop alive.
    held: AtomicUsize,
}

#[napi]
impl RedisClient {
    /// Creates the client; it connects on first use and reconnects by itself.
    /// `on_reply([id, error, replies])` receives the outcome of every `submit`.
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "options: RedisClientOptions, onReply: (reply: [id: number, error: string | null, replies: Array<string | null> | null]) => void"
    )]
    pub fn create(
        options: Option<RedisClientOptions>,
        on_reply: Function<Reply, Unknown<'static>>,
    ) -> Result<RedisClient> {
        let options = options.ok_or_else(|| invalid_arg("RedisClient options are required"))?;
        let port = match options.port {
            Some(p) if p == 0 || p > 65535 => {
                return Err(invalid_arg(format!("invalid Redis port {p}")))
            }
            p => p.map(|p| p as u16),
        };
        let opts = core::Options {
            url: options.url,
            host: options.host,
            port,
            username: options.username,
            password: options.password,
            db: options.db,
            nodes: options.nodes.unwrap_or_default(),
            command_timeout: crate::validate::deadline(options.command_timeout, 1000),
            connect_timeout: crate::validate::deadline(options.connect_timeout, 1000),
        };
        let on_reply = on_reply
            .build_threadsafe_function::<Reply>()
            .weak::<true>()
            .callee_handled::<false>()
            .build()
            .map_err(|e| invalid_arg(format!("onReply: {e}")))?;
        let client = {
            let _in_io_runtime = io_runtime().enter();
            Client::new(&opts).map_err(to_js)?
        };
        Ok(RedisClient {
            inner: RwLock::new(Some(Arc::new(client))),
            on_reply: Arc::new(on_reply),
            held: AtomicUsize::new(0),
        })
    }

    fn client(&self) -> napi::Result<Arc<Client>> {
        self.inner
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or_else(|| to_js_async(Error::new(Code::Redis, "Redis client is closed")))
    }

    #[napi(catch_unwind, getter)]
    pub fn is_cluster(&self) -> bool {
        self.client().map(|c| c.is_cluster()).unwrap_or(false)
    }

    /// Sends commands (each `[name, ...args]`) as one pipeline, in order, and answers through
    /// `onReply([id, error, replies])`: each reply as text, `null` for nil. A sync call that
    /// returns at once; cheaper than a promise per call.
    #[napi(catch_unwind)]
    pub fn submit(&self, env: Env, id: u32, cmds: Vec<Vec<String>>) -> Result<()> {
        let on_reply = self.on_reply.clone();
        let Some(client) = self.inner.read().ok().and_then(|g| g.clone()) else {
            on_reply.call(
                (
                    id,
                    Some("ERR_ALOVA_REDIS: Redis client is closed".into()),
                    None,
                ),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
            return Ok(());
        };
        self.hold(&env, true)?;
        io_runtime().spawn(async move {
            let reply = match client.exec(&cmds).await {
                Ok(replies) => (id, None, Some(replies)),
                Err(e) => (
                    id,
                    Some(format!("{}: {}", e.code.as_str(), e.message)),
                    None,
                ),
            };
            on_reply.call(reply, ThreadsafeFunctionCallMode::NonBlocking);
        });
        Ok(())
    }

    /// Marks one submitted pipeline as answered (called by JS from `onReply`).
    #[napi(catch_unwind)]
    pub fn settled(&self, env: Env) -> Result<()> {
        self.hold(&env, false)
    }

    fn hold(&self, env: &Env, on: bool) -> Result<()> {
        let raw = self.on_reply.handle.get_raw();
        let status = if on {
            if self.held.fetch_add(1, Ordering::Relaxed) != 0 {
                return Ok(());
            }
            unsafe { napi::sys::napi_ref_threadsafe_function(env.raw(), raw) }
        } else {
            if self.held.load(Ordering::Relaxed) == 0
                || self.held.fetch_sub(1, Ordering::Relaxed) != 1
            {
                return Ok(());
            }
            unsafe { napi::sys::napi_unref_threadsafe_function(env.raw(), raw) }
        };
        if status != napi::sys::Status::napi_ok {
            return Err(to_js(Error::new(
                Code::Internal,
                format!("threadsafe function ref: status {status}"),
            )));
        }
        Ok(())
    }

    /// Deletes every key under `prefix`; resolves the number deleted.
    #[napi(catch_unwind)]
    pub async fn clear(&self, prefix: String) -> napi::Result<f64> {
        self.client()?
            .clear(&prefix)
            .await
            .map(|n| n as f64)
            .map_err(to_js_async)
    }

    /// Runs a Lua script (EVALSHA with EVAL fallback); resolves its reply as JSON text.
    #[napi(catch_unwind)]
    pub async fn eval(
        &self,
        script: String,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> napi::Result<String> {
        let v = self
            .client()?
            .eval(&script, &keys, &args)
            .await
            .map_err(to_js_async)?;
        core::to_json(&v).map_err(to_js_async)
    }

    /// Drops the connection; later calls reject.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        if let Ok(mut g) = self.inner.write() {
            g.take();
        }
    }
}
