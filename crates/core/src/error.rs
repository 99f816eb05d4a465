//! One error type for the engine. Every error carries a stable code (`ERR_ALOVA_*`) that the
//! binding exposes as `err.code`, and the message of its Rust cause.
use std::fmt;

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
    /// A Redis command failed or Redis is unreachable.
    Redis,
    /// The shared-cache hub or its protocol failed.
    Psc,
    /// A filesystem operation failed.
    Io,
    /// Anything that should not happen; a bug.
    Internal,
}

impl Code {
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
            Code::Psc => "ERR_ALOVA_PSC",
            Code::Io => "ERR_ALOVA_IO",
            Code::Internal => "ERR_ALOVA_INTERNAL",
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
