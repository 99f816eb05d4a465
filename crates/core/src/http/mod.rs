//! The HTTP engine behind `@alova/native/fetch`: one pooled reqwest client per adapter, requests
//! that can be cancelled, small bodies delivered whole with the head and large ones streamed.
mod body;
mod client;
mod failure;
mod pool;
mod stats;
mod upload;
mod urls;

#[cfg(test)]
mod tests;

pub use body::{BodyStream, ResponseBody};
pub use client::{Client, ClientOptions, Head, Redirect, Request, RequestBody, Response};
pub use pool::PoolOptions;
pub use reqwest::header::HeaderMap;
pub use stats::Stats;
pub use upload::UploadProgress;
