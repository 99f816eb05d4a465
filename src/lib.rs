//! napi binding for `@alova/native`. Only conversion and error mapping live here; the work
//! is done in `alova-core`.
#![deny(clippy::all)]

#[macro_use]
extern crate napi_derive;

mod cache;
mod completion;
mod constants;
mod drain;
mod error;
mod handles;
mod http;
mod json;
mod psc;
mod ratelimit;
mod redis;
mod reply;
mod validate;

#[napi(catch_unwind)]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Throws an `ERR_ALOVA_INVALID_ARG` error; used by tests of the error convention. Only in
/// builds with the `test-hooks` feature, never in the addon users get.
#[cfg(feature = "test-hooks")]
#[napi(catch_unwind)]
pub fn check_error_convention(message: String) -> error::Result<()> {
    Err(error::invalid_arg(message))
}

/// Panics inside the call; used by tests of the boundary's panic guard, which must turn it
/// into a thrown `ERR_ALOVA_INTERNAL` error instead of aborting the process.
#[cfg(feature = "test-hooks")]
#[napi(catch_unwind)]
pub fn check_panic_convention() -> error::Result<()> {
    error::guard(|| panic!("a panic inside a native call"))
}
