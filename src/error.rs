//! Maps engine errors to JS errors whose `code` is the stable `ERR_ALOVA_*` string.
use alova_core::Error;

/// The error type every fallible `#[napi]` item returns.
pub type JsError = napi::Error<String>;
pub type Result<T> = std::result::Result<T, JsError>;

pub fn to_js(err: Error) -> JsError {
    napi::Error::new(err.code.as_str().to_string(), err.message)
}

pub fn invalid_arg(message: impl Into<String>) -> JsError {
    to_js(Error::new(alova_core::Code::InvalidArgument, message))
}
