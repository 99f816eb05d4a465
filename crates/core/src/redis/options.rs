//! How to reach Redis: address, credentials, TLS, Sentinel and time limits.
use std::time::Duration;

/// How to reach Redis. `url` wins over the separate fields; `nodes` selects Redis Cluster.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: Option<i64>,
    /// Cluster seed nodes, each `host:port` or a `redis://` URL.
    pub nodes: Vec<String>,
    /// A unix socket to connect to instead of host and port.
    pub path: Option<String>,
    /// TLS to the server (also implied by a `rediss://` url).
    pub tls: Option<Tls>,
    /// Sentinel: the master is found by asking these `(host, port)` sentinels for `name`.
    pub sentinel: Option<Sentinel>,
    /// Limit for one operation, from the call to its reply (reconnect waits included).
    pub command_timeout: Duration,
    /// Limit for one connection attempt.
    pub connect_timeout: Duration,
}

/// TLS settings, as Node's `tls.connect` names them.
#[derive(Debug, Clone)]
pub struct Tls {
    /// Trusted CA certificates (PEM); the system's roots when absent.
    pub ca: Option<Vec<u8>>,
    /// Client certificate chain and key (PEM), for servers that ask for one.
    pub cert: Option<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    /// `false` accepts any certificate (tests, private networks).
    pub reject_unauthorized: bool,
    /// The name to verify the certificate against, when it differs from `host`.
    pub servername: Option<String>,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            ca: None,
            cert: None,
            key: None,
            reject_unauthorized: true,
            servername: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sentinel {
    pub sentinels: Vec<(String, u16)>,
    /// The master group name the sentinels monitor.
    pub name: String,
    /// Connect to a replica instead of the master.
    pub replica: bool,
    pub username: Option<String>,
    pub password: Option<String>,
}
