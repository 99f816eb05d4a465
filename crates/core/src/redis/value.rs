//! Error replies from Redis as engine errors.
use crate::{Code, Error};

/// An error reply as Redis sends it (`ERR ...`, `WRONGTYPE ...`).
pub fn server_error(e: &redis::ServerError) -> Error {
    let text = match e.details() {
        Some(d) => format!("{} {d}", e.code()),
        None => e.code().to_string(),
    };
    Error::new(Code::Redis, format!("Redis replied: {text}"))
}
