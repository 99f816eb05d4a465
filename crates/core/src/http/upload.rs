//! Request bodies sent in slices so that the bytes taken by the connection can be reported.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;

/// Slice size: small enough for useful progress, large enough to keep writes efficient.
const SLICE: usize = 64 * 1024;

/// Bytes of a request body taken by the connection so far, with a hook called per slice.
pub struct UploadProgress {
    sent: AtomicU64,
    total: AtomicU64,
    notify: Box<dyn Fn(u64) + Send + Sync>,
}

impl UploadProgress {
    pub fn new(notify: impl Fn(u64) + Send + Sync + 'static) -> Arc<UploadProgress> {
        Arc::new(UploadProgress {
            sent: AtomicU64::new(0),
            total: AtomicU64::new(0),
            notify: Box::new(notify),
        })
    }

    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Called once the response head arrived: the whole body was taken by then.
    pub(super) fn finish(&self) {
        let total = self.total.load(Ordering::Relaxed);
        // A streamed body has no total; its chunks were all counted as they went.
        if total == 0 {
            return;
        }
        if self.sent.swap(total, Ordering::Relaxed) < total {
            (self.notify)(total);
        }
    }

    fn advance(&self, n: usize) {
        let total = self.sent.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        (self.notify)(total);
    }
}

pub(super) fn body(
    body: Bytes,
    progress: Arc<UploadProgress>,
    builder: reqwest::RequestBuilder,
) -> reqwest::RequestBuilder {
    let len = body.len();
    progress.total.store(len as u64, Ordering::Relaxed);
    let mut offset = 0;
    let slices = std::iter::from_fn(move || {
        if offset >= len {
            return None;
        }
        let end = (offset + SLICE).min(len);
        let slice = body.slice(offset..end);
        offset = end;
        Some(slice)
    });
    // Each slice is counted when the connection asks for the next one (or at the end), i.e.
    // once the previous one has been written.
    let mut last = 0usize;
    let stream = futures_util::stream::iter(slices.map(Some).chain(std::iter::once(None)))
        .filter_map(move |slice| {
            if last > 0 {
                progress.advance(last);
            }
            last = slice.as_ref().map_or(0, Bytes::len);
            std::future::ready(slice.map(Ok::<_, std::io::Error>))
        });
    builder
        .header(reqwest::header::CONTENT_LENGTH, len)
        .body(reqwest::Body::wrap_stream(stream))
}

/// A body whose chunks arrive while it is sent (chunked transfer encoding); each chunk is
/// counted as the connection takes it.
pub(super) fn stream(
    rx: tokio::sync::mpsc::Receiver<crate::Result<Bytes>>,
    progress: Option<Arc<UploadProgress>>,
    builder: reqwest::RequestBuilder,
) -> reqwest::RequestBuilder {
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        Some((item.map_err(std::io::Error::other), rx))
    })
    .inspect(move |item| {
        if let (Some(p), Ok(chunk)) = (&progress, item) {
            p.advance(chunk.len());
        }
    });
    builder.body(reqwest::Body::wrap_stream(chunks))
}
