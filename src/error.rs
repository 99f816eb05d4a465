//! The one conversion from engine errors to what JS receives. Every path carries the stable
//! code (`ERR_ALOVA_*`) as data, never inside the message:
//! - a sync call throws an `Error` whose `code` is the code (`to_js`);
//! - a promise rejects with the same kind of `Error` (`promise`), built on the JS thread;
//! - a result delivered through a callback carries a `{ code, message }` object (`Failure`);
//! - a panic inside a sync call throws `ERR_ALOVA_INTERNAL` (`guard`).
use std::future::Future;
use std::panic::AssertUnwindSafe;

use alova_core::{Code, Error};
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue, Unknown};
use napi::{sys, Env};

/// The error type every fallible `#[napi]` item returns: its status string becomes `err.code`.
pub type JsError = napi::Error<String>;
pub type Result<T> = std::result::Result<T, JsError>;

pub fn to_js(err: Error) -> JsError {
    napi::Error::new(err.code.as_str().to_string(), err.message)
}

pub fn invalid_arg(message: impl Into<String>) -> JsError {
    to_js(Error::new(Code::InvalidArgument, message))
}

/// A failure of napi itself (making a callback or an external buffer): a bug, not bad input.
pub fn internal(err: napi::Error) -> JsError {
    to_js(Error::new(Code::Internal, err.reason.clone()))
}

/// A failure as a plain object, for results that reach JS as values.
#[napi(object)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: e.code.as_str().to_string(),
            message: e.message,
        }
    }
}

/// Runs the body of a sync call; a panic inside it becomes an `ERR_ALOVA_INTERNAL` throw
/// (napi's own guard, kept as the last resort, would throw `GenericFailure`).
pub fn guard<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        let message = if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else {
            "a panic inside a native call".to_string()
        };
        Err(to_js(Error::new(Code::Internal, message)))
    })
}

/// A promise settled by `work`: its value, or a rejection with a coded `Error`. The rejection
/// is made on the JS thread, where the error object can be given its `code`; a plain
/// `napi::Error` crossing a promise would arrive with `GenericFailure` instead.
pub fn promise<'env, T, F>(env: &'env Env, work: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = alova_core::Result<T>> + Send + 'static,
{
    let raw = napi::bindgen_prelude::execute_tokio_future(
        env.raw(),
        async move { Ok::<_, napi::Error>(work.await) },
        |env, outcome| match outcome {
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            Err(e) => Err(rejection(env, e)),
        },
    )
    .map_err(internal)?;
    Ok(PromiseRaw::new(env.raw(), raw))
}

/// The JS error for `err`, held so that the promise rejects with this very object.
fn rejection(env: sys::napi_env, err: Error) -> napi::Error {
    let value = unsafe { napi::JsError::from(to_js(err)).into_value(env) };
    let value = unsafe { Unknown::from_raw_unchecked(env, value) };
    napi::Error::from(value)
}
