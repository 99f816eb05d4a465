//! The connection under a [`super::Client`]: a reconnecting multiplexed connection to one
//! server (over TCP, TLS or a unix socket, or to the master Sentinel names), or a cluster
//! connection. All are cheap to clone (clones share the socket).
use std::sync::Arc;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};

use super::options::{Options, Sentinel, Tls};
use super::reconnect::{Reconnecting, Resolver, Source};
use crate::{Code, Error, Result};

#[derive(Clone)]
pub enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Reconnecting(Arc<Reconnecting>),
}

/// A node to SCAN: the only server, or one cluster primary by address.
pub type Node = Option<(String, u16)>;

impl Conn {
    pub fn lazy(opts: &Options) -> Result<Conn> {
        if !opts.nodes.is_empty() {
            return cluster(opts);
        }
        if let Some(s) = &opts.sentinel {
            return sentinel(opts, s);
        }
        let (client, resolver) = single_client(opts)?;
        if let Some(r) = resolver {
            let conn = Reconnecting::new(Source::Client(client), opts.connect_timeout, Some(r));
            return Ok(Conn::Reconnecting(Arc::new(conn)));
        }
        // Few retries inside the manager: the caller's time limit and circuit breaker decide
        // how long to wait; the manager starts a new attempt on the next command anyway.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(1)
            .set_min_delay(std::time::Duration::from_millis(50))
            .set_max_delay(std::time::Duration::from_millis(500))
            .set_connection_timeout(Some(opts.connect_timeout))
            .set_response_timeout(None);
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::new(Code::Redis, format!("Redis: {e}")))?;
        Ok(Conn::Single(manager))
    }

    /// The nodes a keyspace sweep must visit.
    pub async fn scan_targets(&self) -> RedisResult<Vec<Node>> {
        match self {
            Conn::Single(_) | Conn::Reconnecting(_) => Ok(vec![None]),
            Conn::Cluster(c) => {
                let mut c = c.clone();
                let v = c
                    .route_command(
                        redis::cmd("CLUSTER").arg("NODES").clone(),
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
                    )
                    .await?;
                let text: String = redis::from_redis_value(v)?;
                Ok(primaries(&text).into_iter().map(Some).collect())
            }
        }
    }

    pub async fn scan_on(
        &self,
        node: &Node,
        cursor: u64,
        pattern: &str,
        count: usize,
    ) -> RedisResult<(u64, Vec<String>)> {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(count);
        match (self, node) {
            (Conn::Cluster(c), Some((host, port))) => {
                let mut c = c.clone();
                let route = SingleNodeRoutingInfo::ByAddress {
                    host: host.clone(),
                    port: *port,
                };
                let v = c.route_command(cmd, RoutingInfo::SingleNode(route)).await?;
                Ok(redis::from_redis_value(v)?)
            }
            _ => cmd.query_async(&mut self.clone()).await,
        }
    }

    /// UNLINK the keys; one command per key on a cluster, where keys of one call would have
    /// to share a slot.
    pub async fn unlink(&self, keys: &[String]) -> RedisResult<()> {
        match self {
            Conn::Single(_) | Conn::Reconnecting(_) => {
                redis::cmd("UNLINK")
                    .arg(keys)
                    .query_async(&mut self.clone())
                    .await
            }
            Conn::Cluster(_) => {
                let sends = keys.iter().map(|k| async move {
                    redis::cmd("UNLINK")
                        .arg(k)
                        .query_async::<()>(&mut self.clone())
                        .await
                });
                futures_util::future::try_join_all(sends).await.map(|_| ())
            }
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
            Conn::Reconnecting(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Reconnecting(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
            Conn::Reconnecting(_) => 0,
        }
    }
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::new(Code::InvalidArgument, format!("invalid Redis options: {e}"))
}

/// The client for one server, and the resolver its connections need when TLS is checked
/// against a `servername` other than the host.
fn single_client(opts: &Options) -> Result<(redis::Client, Option<Resolver>)> {
    let mut url = url::Url::parse(&single_url(opts)?).map_err(invalid)?;
    let tls = match (&opts.tls, url.scheme()) {
        (Some(t), _) => Some(t.clone()),
        (None, "rediss") => Some(Tls::default()),
        _ => None,
    };
    if let Some(path) = &opts.path {
        if tls.is_some() {
            return Err(invalid("`tls` cannot be used with a unix socket `path`"));
        }
        let info = redis::IntoConnectionInfo::into_connection_info(url.as_str())
            .map_err(invalid)?
            .set_addr(redis::ConnectionAddr::Unix(path.into()));
        return Ok((redis::Client::open(info).map_err(invalid)?, None));
    }
    let Some(tls) = tls else {
        return Ok((redis::Client::open(url.as_str()).map_err(invalid)?, None));
    };
    url.set_scheme("rediss")
        .map_err(|_| invalid("cannot use TLS with this url"))?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_string();
    let mut resolver = None;
    if let Some(name) = tls.servername.as_deref().filter(|n| *n != host) {
        url.set_host(Some(name))
            .map_err(|e| invalid(format!("tls.servername {name:?}: {e}")))?;
        resolver = Some(Resolver { host });
    }
    if !tls.reject_unauthorized {
        url.set_fragment(Some("insecure"));
    }
    let client =
        redis::Client::build_with_tls(url.as_str(), certificates(&tls)?).map_err(invalid)?;
    Ok((client, resolver))
}

fn certificates(tls: &Tls) -> Result<redis::TlsCertificates> {
    let client_tls = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => Some(redis::ClientTlsConfig {
            client_cert: cert.clone(),
            client_key: key.clone(),
        }),
        (None, None) => None,
        _ => return Err(invalid("`tls.cert` and `tls.key` go together")),
    };
    Ok(redis::TlsCertificates {
        client_tls,
        root_cert: tls.ca.clone(),
    })
}

/// A connection to the master (or a replica) that the sentinels name, asked again on every
/// reconnect so that a failover is followed.
fn sentinel(opts: &Options, s: &Sentinel) -> Result<Conn> {
    let source = Source::Sentinel(tokio::sync::Mutex::new(sentinel_client(opts, s)?));
    Ok(Conn::Reconnecting(Arc::new(Reconnecting::new(
        source,
        opts.connect_timeout,
        None,
    ))))
}

/// A client for a subscriber connection to the server `opts` describe (asked of the sentinels
/// now, for Sentinel).
pub async fn pubsub_client(opts: &Options) -> Result<redis::Client> {
    let unsupported = |what: &str| {
        Error::new(
            Code::InvalidArgument,
            format!("subscribe is not supported {what}"),
        )
    };
    if !opts.nodes.is_empty() {
        return Err(unsupported("on Redis Cluster"));
    }
    if let Some(s) = &opts.sentinel {
        let mut c = sentinel_client(opts, s)?;
        return c
            .async_get_client()
            .await
            .map_err(|e| Error::new(Code::RedisUnavailable, format!("Redis unreachable: {e}")));
    }
    match single_client(opts)? {
        (client, None) => Ok(client),
        (_, Some(_)) => Err(unsupported("with `tls.servername`")),
    }
}

fn sentinel_client(opts: &Options, s: &Sentinel) -> Result<redis::sentinel::SentinelClient> {
    use redis::sentinel::{SentinelClientBuilder, SentinelServerType};
    if s.sentinels.is_empty() {
        return Err(invalid("`sentinels` must list at least one sentinel"));
    }
    let addrs = s
        .sentinels
        .iter()
        .map(|(h, p)| redis::ConnectionAddr::Tcp(h.clone(), *p));
    let role = if s.replica {
        SentinelServerType::Replica
    } else {
        SentinelServerType::Master
    };
    let mut b = SentinelClientBuilder::new(addrs, &s.name, role).map_err(invalid)?;
    if let Some(u) = &opts.username {
        b = b.set_client_to_redis_username(u);
    }
    if let Some(p) = &opts.password {
        b = b.set_client_to_redis_password(p);
    }
    if let Some(db) = opts.db {
        b = b.set_client_to_redis_db(db);
    }
    if let Some(u) = &s.username {
        b = b.set_client_to_sentinel_username(u);
    }
    if let Some(p) = &s.password {
        b = b.set_client_to_sentinel_password(p);
    }
    b.build().map_err(invalid)
}

/// `redis://[user[:password]@]host:port[/db]` from the separate options (or `url` itself).
fn single_url(opts: &Options) -> Result<String> {
    let bad = |m: String| Error::new(Code::InvalidArgument, m);
    let mut url = match &opts.url {
        Some(u) => url::Url::parse(u).map_err(|e| bad(format!("invalid Redis url {u:?}: {e}")))?,
        None => {
            let host = opts.host.as_deref().unwrap_or("127.0.0.1");
            let port = opts.port.unwrap_or(6379);
            let host = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]")
            } else {
                host.to_string()
            };
            url::Url::parse(&format!("redis://{host}:{port}"))
                .map_err(|e| bad(format!("invalid Redis host {host:?}: {e}")))?
        }
    };
    // Separate fields complete (or override) what the url says, as in ioredis.
    if let Some(user) = &opts.username {
        url.set_username(user)
            .map_err(|_| bad("invalid Redis username".into()))?;
    }
    if let Some(pass) = &opts.password {
        url.set_password(Some(pass))
            .map_err(|_| bad("invalid Redis password".into()))?;
    }
    if let Some(db) = opts.db {
        url.set_path(&format!("/{db}"));
    }
    Ok(url.into())
}

fn cluster(opts: &Options) -> Result<Conn> {
    let nodes: Vec<String> = opts
        .nodes
        .iter()
        .map(|n| {
            if n.contains("://") {
                n.clone()
            } else {
                format!("redis://{n}")
            }
        })
        .collect();
    let mut builder = redis::cluster::ClusterClientBuilder::new(nodes)
        .connection_timeout(opts.connect_timeout)
        .retries(2);
    if let Some(user) = &opts.username {
        builder = builder.username(user);
    }
    if let Some(pass) = &opts.password {
        builder = builder.password(pass);
    }
    let client = builder.build().map_err(|e| {
        Error::new(
            Code::InvalidArgument,
            format!("invalid Redis Cluster options: {e}"),
        )
    })?;
    let config = redis::cluster::ClusterConfig::new().set_connection_timeout(opts.connect_timeout);
    Ok(Conn::Cluster(
        client.get_pending_async_connection_with_config(config),
    ))
}

/// Addresses of the primaries that are not failing, from `CLUSTER NODES` output.
fn primaries(nodes: &str) -> Vec<(String, u16)> {
    nodes
        .lines()
        .filter_map(|line| {
            let mut f = line.split(' ');
            let _id = f.next()?;
            let addr = f.next()?;
            let flags = f.next()?;
            if !flags.split(',').any(|x| x == "master") || flags.contains("fail") {
                return None;
            }
            let hostport = addr.split('@').next()?;
            let (host, port) = hostport.rsplit_once(':')?;
            Some((
                host.trim_matches(['[', ']']).to_string(),
                port.parse().ok()?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_from_fields() {
        let o = Options {
            host: Some("localhost".into()),
            port: Some(7000),
            password: Some("p@ss word".into()),
            db: Some(3),
            ..Default::default()
        };
        assert_eq!(
            single_url(&o).unwrap(),
            "redis://:p%40ss%20word@localhost:7000/3"
        );
        let o = Options {
            url: Some("redis://127.0.0.1:6380".into()),
            db: Some(1),
            ..Default::default()
        };
        assert_eq!(single_url(&o).unwrap(), "redis://127.0.0.1:6380/1");
    }

    #[test]
    fn parses_primaries() {
        let text = "a 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\n\
                    b 127.0.0.1:7001@17001 slave a 0 0 2 connected\n\
                    c 127.0.0.1:7002@17002 master,fail - 0 0 3 connected\n";
        assert_eq!(primaries(text), vec![("127.0.0.1".to_string(), 7000)]);
    }
}
