//! `RedisClient`: the native Redis connection behind `@alova/native/storage-redis`. Values
//! cross as strings (JSON text); script replies cross as JSON text.
use std::sync::{Arc, RwLock};
use std::time::Duration;

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

fn bad_arg_async(message: String) -> napi::Error {
    to_js_async(Error::new(Code::InvalidArgument, message))
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
    pub command_timeout: Option<u32>,
    /// Milliseconds one connection attempt may take (default 1000).
    pub connect_timeout: Option<u32>,
}

#[napi]
pub struct RedisClient {
    inner: RwLock<Option<Arc<Client>>>,
}

#[napi]
impl RedisClient {
    /// Creates the client; it connects on first use and reconnects by itself.
    #[napi(factory)]
    pub fn create(options: RedisClientOptions) -> Result<RedisClient> {
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
            command_timeout: Duration::from_millis(
                options.command_timeout.unwrap_or(1000).max(1) as u64
            ),
            connect_timeout: Duration::from_millis(
                options.connect_timeout.unwrap_or(1000).max(1) as u64
            ),
        };
        let client = napi::bindgen_prelude::within_runtime_if_available(|| Client::new(&opts))
            .map_err(to_js)?;
        Ok(RedisClient {
            inner: RwLock::new(Some(Arc::new(client))),
        })
    }

    fn client(&self) -> napi::Result<Arc<Client>> {
        self.inner
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or_else(|| to_js_async(Error::new(Code::Redis, "Redis client is closed")))
    }

    #[napi(getter)]
    pub fn is_cluster(&self) -> bool {
        self.client().map(|c| c.is_cluster()).unwrap_or(false)
    }

    #[napi]
    pub async fn get(&self, key: String) -> napi::Result<Option<String>> {
        self.client()?.get(&key).await.map_err(to_js_async)
    }

    /// Sends commands (each `[name, ...args]`) as one pipeline, in order; resolves each
    /// reply as text (`null` for nil, integers in decimal).
    #[napi]
    pub async fn exec(&self, cmds: Vec<Vec<String>>) -> napi::Result<Vec<Option<String>>> {
        self.client()?.exec(&cmds).await.map_err(to_js_async)
    }

    /// `SET key value`, with `PX px` when `px` is given.
    #[napi]
    pub async fn set(&self, key: String, value: String, px: Option<f64>) -> napi::Result<()> {
        let px = match px {
            Some(ms) if !ms.is_finite() || ms < 0.0 => {
                return Err(bad_arg_async(format!("invalid expiry {ms}ms")))
            }
            Some(ms) => Some(ms.ceil() as u64),
            None => None,
        };
        self.client()?
            .set(&key, &value, px)
            .await
            .map_err(to_js_async)
    }

    #[napi]
    pub async fn del(&self, key: String) -> napi::Result<()> {
        self.client()?.del(&key).await.map_err(to_js_async)
    }

    /// Deletes every key under `prefix`; resolves the number deleted.
    #[napi]
    pub async fn clear(&self, prefix: String) -> napi::Result<f64> {
        self.client()?
            .clear(&prefix)
            .await
            .map(|n| n as f64)
            .map_err(to_js_async)
    }

    /// Runs a Lua script (EVALSHA with EVAL fallback); resolves its reply as JSON text.
    #[napi]
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
    #[napi]
    pub fn close(&self) {
        if let Ok(mut g) = self.inner.write() {
            g.take();
        }
    }
}
