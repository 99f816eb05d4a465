//! napi binding for `@alova/native`. Only conversion and error mapping live here; the work
//! is done in `alova-core`.
#![deny(clippy::all)]

#[macro_use]
extern crate napi_derive;

mod cache;
mod constants;
mod error;
mod http;
mod psc;
mod ratelimit;
mod redis;
mod runtime;
mod validate;

#[napi(catch_unwind)]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Throws an `ERR_ALOVA_INVALID_ARG` error; used by tests of the error convention.
#[napi(catch_unwind)]
pub fn check_error_convention(message: String) -> error::Result<()> {
    Err(error::invalid_arg(message))
}

/// Panics inside the call; used by tests of the boundary's panic guard, which must turn it
/// into a thrown error instead of aborting the process.
#[napi(catch_unwind)]
pub fn check_panic_convention() {
    panic!("a panic inside a native call");
}
