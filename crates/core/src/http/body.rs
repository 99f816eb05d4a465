//! Response bodies: read whole when small, otherwise handed over in batches as they arrive.
use bytes::{Bytes, BytesMut};
use futures_util::FutureExt;

use std::sync::Arc;

use super::stats::{Counters, Turn};
use crate::error::{Code, Error, Result};

/// Largest batch handed to JS in one crossing.
const BATCH_MAX: usize = 256 * 1024;

/// A response body: whole when it was small and fully arrived, else still streaming.
pub enum ResponseBody {
    Complete(Bytes),
    Stream(BodyStream),
}

pub(super) fn too_large(max: u64) -> Error {
    Error::new(
        Code::BodyTooLarge,
        format!("response body exceeds the limit of {max} bytes"),
    )
}

pub(super) async fn read_inline(resp: reqwest::Response, limit: Option<u64>) -> Result<Bytes> {
    let bytes = resp.bytes().await.map_err(body_error)?;
    match limit {
        Some(max) if bytes.len() as u64 > max => Err(too_large(max)),
        _ => Ok(bytes),
    }
}

/// A body that stops early and one that cannot be decompressed look alike to the caller, as
/// with fetch: both are network failures, told apart by the cause in the message.
fn body_error(e: reqwest::Error) -> Error {
    if let Some(failure) = super::failure::system_failure(&e) {
        return failure;
    }
    Error::with_cause(Code::Network, "reading the response body failed", &e)
}

/// A response body still arriving. `next_batch` returns whatever is ready (at least one chunk),
/// so a fast body crosses in few large pieces.
pub struct BodyStream {
    resp: reqwest::Response,
    limit: Option<u64>,
    received: u64,
    pending: BytesMut,
    done: bool,
    /// The request's place in the counts and its turn on its origin (see `OriginLimit`),
    /// given back at the end.
    turn: Option<Turn>,
    counters: Arc<Counters>,
}

impl BodyStream {
    pub(super) fn new(
        resp: reqwest::Response,
        limit: Option<u64>,
        turn: Turn,
        counters: Arc<Counters>,
    ) -> BodyStream {
        BodyStream {
            resp,
            limit,
            received: 0,
            pending: BytesMut::new(),
            done: false,
            turn: Some(turn),
            counters,
        }
    }

    /// Takes the chunks that are ready now; if that is the whole body, the response is
    /// delivered complete.
    pub(super) async fn into_body(mut self) -> Result<ResponseBody> {
        self.take_ready()?;
        if self.done {
            return Ok(ResponseBody::Complete(self.pending.split().freeze()));
        }
        Ok(ResponseBody::Stream(self))
    }

    fn push(&mut self, chunk: Bytes) -> Result<()> {
        self.received += chunk.len() as u64;
        self.counters.received(chunk.len());
        if let Some(max) = self.limit {
            if self.received > max {
                return Err(too_large(max));
            }
        }
        self.pending.extend_from_slice(&chunk);
        Ok(())
    }

    fn end(&mut self) {
        self.done = true;
        self.turn = None;
    }

    fn take_ready(&mut self) -> Result<()> {
        while !self.done && self.pending.len() < BATCH_MAX {
            match self.resp.chunk().now_or_never() {
                None => break,
                Some(Ok(Some(c))) => self.push(c)?,
                Some(Ok(None)) => self.end(),
                Some(Err(e)) => return Err(body_error(e)),
            }
        }
        Ok(())
    }

    /// The next batch of bytes, `None` at the end.
    pub async fn next_batch(&mut self) -> Result<Option<Bytes>> {
        if self.pending.is_empty() && !self.done {
            match self.resp.chunk().await.map_err(body_error)? {
                Some(c) => self.push(c)?,
                None => self.end(),
            }
        }
        self.take_ready()?;
        if self.pending.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.pending.split().freeze()))
    }
}
