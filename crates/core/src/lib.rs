//! The engine behind `@alova/native`: plain Rust, no napi. The binding crate at the
//! workspace root turns these types into JS values.
pub mod cache;
pub mod error;
pub mod http;
pub mod psc;
pub mod ratelimit;
pub mod redis;
pub mod runtime;

pub use error::{Code, Error, Result};
