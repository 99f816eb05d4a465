//! A multiplexed connection that is made again after it fails, for the cases the crate's
//! `ConnectionManager` cannot serve: a master found through Sentinel (asked again on every
//! reconnect, so a failover is followed) and TLS checked against a `servername` other than
//! the host connected to.
use std::net::SocketAddr;
use std::time::Duration;

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::io::AsyncDNSResolver;
use redis::sentinel::SentinelClient;
use redis::{AsyncConnectionConfig, Cmd, ErrorKind, Pipeline, RedisFuture, RedisResult, Value};
use tokio::sync::Mutex;

/// Where a new connection comes from.
pub enum Source {
    Client(redis::Client),
    Sentinel(Mutex<SentinelClient>),
}

pub struct Reconnecting {
    source: Source,
    config: AsyncConnectionConfig,
    current: Mutex<Option<MultiplexedConnection>>,
}

impl Reconnecting {
    pub fn new(source: Source, connect_timeout: Duration, resolver: Option<Resolver>) -> Self {
        let mut config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(connect_timeout))
            .set_response_timeout(None);
        if let Some(r) = resolver {
            config = config.set_dns_resolver(r);
        }
        Reconnecting {
            source,
            config,
            current: Mutex::new(None),
        }
    }

    /// The live connection, or a new one (one attempt at a time; others wait for it).
    async fn get(&self) -> RedisResult<MultiplexedConnection> {
        let mut cur = self.current.lock().await;
        if let Some(c) = cur.as_ref() {
            return Ok(c.clone());
        }
        let client = match &self.source {
            Source::Client(c) => c.clone(),
            Source::Sentinel(s) => s.lock().await.async_get_client().await?,
        };
        let c = client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        *cur = Some(c.clone());
        Ok(c)
    }

    /// Drops the connection after an error that says it is gone or points at the wrong
    /// server (a demoted master answers READONLY), so the next command connects afresh.
    async fn check<T>(&self, r: RedisResult<T>) -> RedisResult<T> {
        if let Err(e) = &r {
            let stale = e.is_io_error()
                || e.is_connection_dropped()
                || e.is_connection_refusal()
                || e.is_unrecoverable_error()
                || e.kind() == ErrorKind::Server(redis::ServerErrorKind::ReadOnly);
            if stale {
                self.current.lock().await.take();
            }
        }
        r
    }

    pub fn req_packed_command<'a>(&'a self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let r = match self.get().await {
                Ok(mut c) => c.req_packed_command(cmd).await,
                Err(e) => Err(e),
            };
            self.check(r).await
        })
    }

    pub fn req_packed_commands<'a>(
        &'a self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let r = match self.get().await {
                Ok(mut c) => c.req_packed_commands(pipeline, offset, count).await,
                Err(e) => Err(e),
            };
            // A pipeline's replies may hold a READONLY error without failing the call.
            let r = match r {
                Ok(vals) => match vals.iter().find_map(readonly) {
                    Some(e) => Err(e),
                    None => Ok(vals),
                },
                e => e,
            };
            self.check(r).await
        })
    }
}

fn readonly(v: &Value) -> Option<redis::RedisError> {
    match v {
        Value::ServerError(e) if e.code() == "READONLY" => Some(e.clone().into()),
        _ => None,
    }
}

/// Resolves every name to `host`: the connection then verifies TLS against the name it was
/// given (the `servername`) while it reaches the host that was asked for.
#[derive(Clone)]
pub struct Resolver {
    pub host: String,
}

impl AsyncDNSResolver for Resolver {
    fn resolve<'a, 'b: 'a>(
        &'a self,
        _name: &'b str,
        port: u16,
    ) -> RedisFuture<'a, Box<dyn Iterator<Item = SocketAddr> + Send + 'a>> {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), port))
                .await?
                .collect();
            Ok(Box::new(addrs.into_iter()) as Box<dyn Iterator<Item = SocketAddr> + Send>)
        })
    }
}
