//! Network failures told as Node's `net`/`dns` modules tell them, so that code written for
//! fetch (retry filters, error handlers) sees the same `cause.code`. The message is Node's:
//! `connect ECONNREFUSED 127.0.0.1:8080`, `read ECONNRESET`, `getaddrinfo ENOTFOUND host`,
//! or undici's `other side closed` for a connection closed before the response; the binding's
//! JS layer reads the code, syscall, address and port back from it.
use std::error::Error as StdError;
use std::io::ErrorKind;
use std::net::SocketAddr;

use crate::error::{Code, Error};

/// The system error name for an I/O failure kind, where Node has one.
fn errno_name(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ConnectionRefused => "ECONNREFUSED",
        ErrorKind::ConnectionReset => "ECONNRESET",
        ErrorKind::ConnectionAborted => "ECONNABORTED",
        ErrorKind::TimedOut => "ETIMEDOUT",
        ErrorKind::BrokenPipe => "EPIPE",
        ErrorKind::HostUnreachable => "EHOSTUNREACH",
        ErrorKind::NetworkUnreachable => "ENETUNREACH",
        ErrorKind::NetworkDown => "ENETDOWN",
        ErrorKind::AddrNotAvailable => "EADDRNOTAVAIL",
        ErrorKind::AddrInUse => "EADDRINUSE",
        ErrorKind::NotConnected => "ENOTCONN",
        ErrorKind::PermissionDenied => "EACCES",
        _ => return None,
    })
}

/// `e` and its causes, outermost first.
fn chain<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = vec![e];
    while let Some(s) = out[out.len() - 1].source() {
        out.push(s);
    }
    out
}

/// The address a failed connect was aimed at: hyper-util names it only in its error's Debug
/// form (`ConnectError("tcp connect error", 127.0.0.1:80, ...)`).
fn connect_addr(e: &(dyn StdError + 'static)) -> Option<SocketAddr> {
    chain(e).into_iter().find_map(|s| {
        let text = format!("{s:?}");
        let rest = text.strip_prefix("ConnectError(\"tcp connect error\", ")?;
        rest.split([',', ')']).next()?.trim().parse().ok()
    })
}

/// Node's account of a failed request, or `None` when it is not a system-level failure.
pub(super) fn system_failure(e: &reqwest::Error) -> Option<Error> {
    let root: &(dyn StdError + 'static) = e;
    let host = e.url().and_then(|u| u.host_str()).unwrap_or("").to_string();
    for s in chain(root) {
        let text = s.to_string();
        if text.starts_with("failed to lookup address information") {
            let code = if text.contains("Temporary failure") {
                "EAI_AGAIN"
            } else {
                "ENOTFOUND"
            };
            return Some(Error::new(
                Code::Network,
                format!("getaddrinfo {code} {host}"),
            ));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let name = errno_name(io.kind())?;
            let message = if e.is_connect() {
                let addr = connect_addr(root).map(|a| format!(" {}:{}", a.ip(), a.port()));
                format!("connect {name}{}", addr.unwrap_or_default())
            } else if io.kind() == ErrorKind::BrokenPipe {
                format!("write {name}")
            } else {
                format!("read {name}")
            };
            return Some(Error::new(Code::Network, message));
        }
        if s.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return Some(Error::new(Code::Network, "other side closed"));
        }
    }
    None
}
