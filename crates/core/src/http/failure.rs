//! Network failures told as Node's `net`/`dns` modules tell them, so that code written for
//! fetch (retry filters, error handlers) sees the same `cause.code`. The message is Node's:
//! `connect ECONNREFUSED 127.0.0.1:8080`, `read ECONNRESET`, `getaddrinfo ENOTFOUND host`,
//! or undici's `other side closed` for a connection closed before the response; a rejected
//! certificate reads `tls <OpenSSL's code> <Node's message>`. The binding's JS layer reads the
//! code, syscall, address and port back from it.
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

/// rustls' error, which travels inside io::Errors (whose `source()` skips what they wrap).
fn find_rustls<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner: Option<&'a (dyn StdError + 'static)> = match e.downcast_ref::<std::io::Error>() {
        Some(io) => io.get_ref().map(|i| i as &(dyn StdError + 'static)),
        None => e.source(),
    };
    inner.and_then(find_rustls)
}

/// OpenSSL's code and Node's message for a certificate rustls rejected, where they match.
fn certificate_failure(e: &rustls::Error) -> Option<(&'static str, &'static str)> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(cert) = e else {
        return None;
    };
    Some(match cert {
        C::UnknownIssuer => (
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "unable to verify the first certificate",
        ),
        C::Expired | C::ExpiredContext { .. } => ("CERT_HAS_EXPIRED", "certificate has expired"),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            ("CERT_NOT_YET_VALID", "certificate is not yet valid")
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => (
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "Hostname/IP does not match certificate's altnames",
        ),
        C::Revoked => ("CERT_REVOKED", "certificate revoked"),
        _ => return None,
    })
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
    if let Some((code, message)) = find_rustls(root).and_then(certificate_failure) {
        return Some(Error::new(Code::Network, format!("tls {code} {message}")));
    }
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
            let Some(name) = errno_name(io.kind()) else {
                continue;
            };
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
