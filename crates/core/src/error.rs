//! One error type for the engine. Every error carries a stable code (`ERR_ALOVA_*`) that the
//! binding exposes as `err.code`, and the message of its Rust cause.
use std::fmt;

/// Every condition a caller can tell apart, with its stable code string. This is the one list
/// of codes: `lib/codes.js` mirrors it (a test checks they are equal) and the README's table
/// lists it (checked too). Some codes are raised only by the JS layer; they are here so the
/// list is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An argument the caller passed is malformed (bad URL, bad header, unknown option).
    InvalidArgument,
    /// The request or operation exceeded its time limit.
    Timeout,
    /// The caller aborted the operation.
    Aborted,
    /// Network-level failure: connect, TLS, reset, DNS.
    Network,
    /// A body exceeded the configured limit.
    BodyTooLarge,
    /// A shared-cache value (or the frame carrying it) exceeded the configured limit.
    ValueTooLarge,
    /// A body could not be read, decoded or serialised.
    Body,
    /// A Redis command failed: Redis answered with an error.
    Redis,
    /// Redis cannot be reached: the connection is down, the client closed, or the circuit
    /// breaker is open. Told apart from `Redis` because only this one counts as an outage.
    RedisUnavailable,
    /// The shared-cache hub or its protocol failed.
    Psc,
    /// A filesystem operation failed.
    Io,
    /// Anything that should not happen; a bug.
    Internal,
    /// No build of the addon loads on this platform (raised by the JS loader).
    NativeMissing,
    /// A Redis lock stayed busy through its retries (raised by the JS locker).
    Locked,
    /// A Redis lock expired and was taken by another owner before `unlock` (JS locker).
    LockLost,
    /// An option or operation this package does not support.
    Unsupported,
}

impl Code {
    /// Every code, in the order the README lists them.
    pub const ALL: [Code; 16] = [
        Code::InvalidArgument,
        Code::Timeout,
        Code::Aborted,
        Code::Network,
        Code::BodyTooLarge,
        Code::ValueTooLarge,
        Code::Body,
        Code::Redis,
        Code::RedisUnavailable,
        Code::Psc,
        Code::Io,
        Code::Internal,
        Code::NativeMissing,
        Code::Locked,
        Code::LockLost,
        Code::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidArgument => "ERR_ALOVA_INVALID_ARG",
            Code::Timeout => "ERR_ALOVA_TIMEOUT",
            Code::Aborted => "ERR_ALOVA_ABORTED",
            Code::Network => "ERR_ALOVA_NETWORK",
            Code::BodyTooLarge => "ERR_ALOVA_BODY_TOO_LARGE",
            Code::ValueTooLarge => "ERR_ALOVA_VALUE_TOO_LARGE",
            Code::Body => "ERR_ALOVA_BODY",
            Code::Redis => "ERR_ALOVA_REDIS",
            Code::RedisUnavailable => "ERR_ALOVA_REDIS_UNAVAILABLE",
            Code::Psc => "ERR_ALOVA_PSC",
            Code::Io => "ERR_ALOVA_IO",
            Code::Internal => "ERR_ALOVA_INTERNAL",
            Code::NativeMissing => "ERR_ALOVA_NATIVE_MISSING",
            Code::Locked => "ERR_ALOVA_LOCKED",
            Code::LockLost => "ERR_ALOVA_LOCK_LOST",
            Code::Unsupported => "ERR_ALOVA_UNSUPPORTED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub code: Code,
    pub message: String,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The message followed by the chain of `source()` causes, which is where libraries such
    /// as reqwest put the useful part ("connection refused", "invalid peer certificate").
    pub fn with_cause(code: Code, context: &str, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut message = format!("{context}: {err}");
        let mut source = err.source();
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Error { code, message }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::Code;

    /// `lib/codes.js` defines the codes for JS: exactly these, each once.
    #[test]
    fn js_codes_equal_the_enum() {
        let js = include_str!("../../../lib/codes.js");
        let mut listed: Vec<&str> = js
            .split('\'')
            .filter(|s| s.starts_with("ERR_ALOVA_"))
            .collect();
        let mut ours: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        listed.sort_unstable();
        ours.sort_unstable();
        assert_eq!(listed, ours);
    }
}
