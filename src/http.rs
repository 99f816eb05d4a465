//! `HttpClient` for `lib/fetch`: one pooled client per adapter. A finished request crosses
//! once, as its head and body or a `{ code, message }` failure that the JS layer turns into
//! fetch's error shapes.
use std::fmt::Write;
use std::sync::Arc;

use alova_core::http::{
    BodyStream, Client, ClientOptions, Head, HeaderMap, PoolOptions, Redirect, Request,
    RequestBody, Response, ResponseBody, UploadProgress,
};
use alova_core::{Code, Error};
use bytes::Bytes;
use dashmap::DashMap;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use tokio::sync::{mpsc, oneshot, Mutex, Notify};

use crate::error::{self, guard, internal, promise, to_js};

#[napi(object)]
pub struct HttpClientOptions {
    /// Extra trusted root certificates, PEM.
    pub ca: Option<Vec<String>>,
    pub reject_unauthorized: Option<bool>,
    pub max_redirects: Option<f64>,
    pub max_response_size: Option<f64>,
    pub proxy: Option<String>,
    /// Without `proxy`: follow `HTTP(S)_PROXY`/`NO_PROXY` from the environment.
    pub env_proxy: Option<bool>,
    /// The `user-agent` sent when a request has none ('' sends none); default `node`.
    pub user_agent: Option<String>,
    /// Requests in flight per origin (1 to 65535); default no limit.
    pub connections: Option<f64>,
    /// How long an idle connection is kept, ms; default 60000.
    pub keep_alive_timeout: Option<f64>,
    /// `false`: no connection reuse.
    pub keep_alive: Option<bool>,
    /// `false`: HTTP/1.1 only.
    pub allow_h2: Option<bool>,
    /// How long opening a connection may take, ms; default the system's limit.
    pub connect_timeout: Option<f64>,
}

#[napi(object)]
pub struct HttpStats {
    pub requests: f64,
    pub errors: f64,
    pub bytes_received: f64,
    pub connections_opened: f64,
    pub in_flight: f64,
    pub waiting: f64,
}

/// Finished requests, waiting for JS to take them (see `completion`).
type Completions = crate::completion::Completions<(u32, alova_core::Result<Response>)>;

#[napi]
pub struct HttpClient {
    client: Arc<Client>,
    inflight: Arc<DashMap<u32, oneshot::Sender<()>>>,
    done: Arc<Completions>,
}

#[napi]
impl HttpClient {
    /// `onReady()` is called when finished requests can be collected with `take()`; the
    /// process stays alive while requests are in flight, and only then.
    #[napi(catch_unwind, constructor)]
    pub fn new(
        options: Option<HttpClientOptions>,
        on_ready: Function<'_, (), ()>,
    ) -> error::Result<Self> {
        guard(|| Self::make(options, on_ready))
    }

    fn make(
        options: Option<HttpClientOptions>,
        on_ready: Function<'_, (), ()>,
    ) -> error::Result<Self> {
        let mut opts = ClientOptions::default();
        if let Some(o) = options {
            opts.pool = pool_options(&o).map_err(to_js)?;
            opts.ca =
                o.ca.unwrap_or_default()
                    .into_iter()
                    .map(String::into_bytes)
                    .collect();
            opts.reject_unauthorized = o.reject_unauthorized.unwrap_or(true);
            if let Some(n) = o.max_redirects {
                // `Infinity` means "follow every redirect": capped so a loop still ends.
                opts.max_redirects = crate::validate::count(n, MAX_REDIRECTS) as usize;
            }
            opts.max_response_size = match o.max_response_size {
                Some(n) if n.is_finite() && n >= 0.0 => Some(n as u64),
                _ => None,
            };
            opts.proxy = o.proxy;
            opts.env_proxy = o.env_proxy.unwrap_or(false);
            if let Some(ua) = o.user_agent {
                opts.user_agent = ua;
            }
        }
        Ok(HttpClient {
            client: Arc::new(Client::new(opts).map_err(to_js)?),
            inflight: Arc::new(DashMap::new()),
            done: Arc::new(Completions::new(on_ready)?),
        })
    }

    /// Starts request `id`. `headers` is `[name, value, name, value, ...]`; `timeout` in ms
    /// (0 = none). Its outcome comes from `take()`.
    #[allow(clippy::too_many_arguments)]
    #[napi(
        catch_unwind,
        ts_args_type = "id: number, method: string, url: string, headers: string[], body: string | Uint8Array | null | undefined, timeout: number, redirect: string | undefined, onUpload?: (loaded: number) => void"
    )]
    pub fn send(
        &self,
        env: &Env,
        id: u32,
        method: String,
        url: String,
        headers: Vec<String>,
        body: Option<Either3<String, Uint8Array, &HttpUpload>>,
        timeout: f64,
        redirect: Option<String>,
        on_upload: Option<Function<'_, f64, ()>>,
    ) -> error::Result<()> {
        guard(|| {
            self.done.begin(env)?;
            // Bad input fails the request through `take()`, like any other failure.
            let request = (move || -> alova_core::Result<Request> {
                if !headers.len().is_multiple_of(2) {
                    return Err(Error::new(
                        Code::InvalidArgument,
                        "headers must be name/value pairs",
                    ));
                }
                if headers.len() / 2 > MAX_REQUEST_HEADERS {
                    return Err(Error::new(
                        Code::InvalidArgument,
                        format!("more than {MAX_REQUEST_HEADERS} request headers"),
                    ));
                }
                use crate::validate::{bounded, MAX_HEADER_NAME_BYTES, MAX_HEADER_VALUE_BYTES};
                bounded("url", &url, crate::validate::MAX_URL_BYTES)?;
                let mut pairs = Vec::with_capacity(headers.len() / 2);
                let mut it = headers.into_iter();
                while let (Some(n), Some(v)) = (it.next(), it.next()) {
                    bounded("header name", &n, MAX_HEADER_NAME_BYTES)?;
                    bounded(&format!("header {n}"), &v, MAX_HEADER_VALUE_BYTES)?;
                    pairs.push((n, v));
                }
                let body = match body {
                    None => None,
                    Some(Either3::A(s)) => Some(RequestBody::Bytes(Bytes::from(s))),
                    Some(Either3::B(a)) => Some(RequestBody::Bytes(Bytes::copy_from_slice(&a))),
                    Some(Either3::C(upload)) => Some(RequestBody::Stream(upload.take_receiver()?)),
                };
                let upload = match on_upload {
                    Some(f) => {
                        let tsfn = f
                            .build_threadsafe_function::<f64>()
                            .weak::<true>()
                            .callee_handled::<false>()
                            .build()
                            .map_err(|e| Error::new(Code::Internal, e.reason.clone()))?;
                        Some(UploadProgress::new(move |n| {
                            tsfn.call(n as f64, ThreadsafeFunctionCallMode::NonBlocking);
                        }))
                    }
                    None => None,
                };
                Ok(Request {
                    method,
                    url,
                    headers: pairs,
                    body,
                    timeout: crate::validate::time_limit(timeout),
                    redirect: Redirect::parse(redirect.as_deref().unwrap_or(""))?,
                    upload,
                })
            })();
            let (tx, rx) = oneshot::channel();
            self.inflight.insert(id, tx);
            let client = self.client.clone();
            let inflight = self.inflight.clone();
            let done = self.done.clone();
            runtime().submit(move || async move {
                let settle = Settle {
                    id,
                    inflight,
                    done,
                    outcome: None,
                };
                let result = match request {
                    Ok(req) => {
                        client
                            .send(req, async {
                                let _ = rx.await;
                            })
                            .await
                    }
                    Err(e) => Err(e),
                };
                settle.finish(result);
            });
            Ok(())
        })
    }

    /// The requests finished since the last call, three entries each: `id`, then either the
    /// head (one string, see `head_text`) and the body (a Buffer, or an `HttpBody` still
    /// arriving), or `null` and the failure `{ code, message }`. Flat and in one piece, so a
    /// response costs a few element writes instead of an object with named properties.
    #[napi(
        catch_unwind,
        ts_return_type = "Array<number | string | null | Buffer | HttpBody | RawFailure>"
    )]
    pub fn take<'env>(&self, env: &'env Env) -> error::Result<Array<'env>> {
        guard(|| {
            let items = self.done.take(env)?;
            Self::to_array(env, items).map_err(internal)
        })
    }

    fn to_array<'env>(
        env: &'env Env,
        items: Vec<(u32, alova_core::Result<Response>)>,
    ) -> Result<Array<'env>> {
        let mut out = env.create_array((items.len() * 3) as u32)?;
        for (i, (id, result)) in items.into_iter().enumerate() {
            let at = (i * 3) as u32;
            out.set(at, id)?;
            match result {
                Ok(r) => {
                    out.set(at + 1, head_text(&r.head))?;
                    match r.body {
                        // Small bodies are copied into a plain Node buffer: cheaper than an
                        // external buffer whose memory must be handed back through a finalizer.
                        ResponseBody::Complete(b) if b.len() <= COPY_MAX => {
                            out.set(at + 2, BufferSlice::copy_from(env, &b)?)?
                        }
                        ResponseBody::Complete(b) => out.set(at + 2, to_buffer(b))?,
                        ResponseBody::Stream(s) => out.set(at + 2, HttpBody::new(s))?,
                    }
                }
                Err(e) => {
                    out.set(at + 1, Null)?;
                    let mut failure = Object::new(env)?;
                    failure.set("code", e.code.as_str())?;
                    failure.set("message", e.message)?;
                    out.set(at + 2, failure)?;
                }
            }
        }
        Ok(out)
    }

    /// The client's counters since it was made: `requests`, `errors` (failures without a
    /// response, aborts aside), `bytesReceived` (body bytes), `connectionsOpened`, `inFlight`
    /// (begun, body not read to its end yet), `waiting` (for a turn under `connections`).
    #[napi(catch_unwind)]
    pub fn stats(&self) -> error::Result<HttpStats> {
        guard(|| {
            let s = self.client.stats();
            Ok(HttpStats {
                requests: s.requests as f64,
                errors: s.errors as f64,
                bytes_received: s.bytes_received as f64,
                connections_opened: s.connections_opened as f64,
                in_flight: s.in_flight as f64,
                waiting: s.waiting as f64,
            })
        })
    }

    /// Aborts request `id` if it is still waiting for its response.
    #[napi(catch_unwind)]
    pub fn abort(&self, id: u32) -> error::Result<()> {
        guard(|| {
            if let Some((_, tx)) = self.inflight.remove(&id) {
                let _ = tx.send(());
            }
            Ok(())
        })
    }
}

/// Settles one request exactly once: with its outcome, or, if the task panics (a library
/// assertion on hostile input), with an internal error as the task unwinds, so no request
/// is left pending.
struct Settle {
    id: u32,
    inflight: Arc<DashMap<u32, oneshot::Sender<()>>>,
    done: Arc<Completions>,
    outcome: Option<alova_core::Result<Response>>,
}

impl Settle {
    fn finish(mut self, result: alova_core::Result<Response>) {
        self.outcome = Some(result);
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        let result = self.outcome.take().unwrap_or_else(|| {
            Err(Error::new(
                Code::Internal,
                "the request failed inside the engine",
            ))
        });
        self.inflight.remove(&self.id);
        self.done.push((self.id, result));
    }
}

/// HTTP work runs on its own I/O thread (see `alova_core::runtime`).
fn runtime() -> &'static alova_core::runtime::Io {
    static RT: std::sync::OnceLock<alova_core::runtime::Io> = std::sync::OnceLock::new();
    alova_core::runtime::dedicated(&RT, "alova-http")
}

/// A response head as JS reads it: the status (three digits), `1` if redirected else `0`, the
/// status text, `\n`, the URL, `\n`, then the header lines (`header_lines`).
fn head_text(head: &Head) -> String {
    let mut out = String::with_capacity(
        8 + head.status_text.len() + head.url.len() + head.headers.len() * 32,
    );
    let _ = write!(out, "{:03}", head.status);
    out.push(if head.redirected { '1' } else { '0' });
    out.push_str(&head.status_text);
    out.push('\n');
    out.push_str(&head.url);
    out.push('\n');
    header_lines(&head.headers, &mut out);
    out
}

/// The response headers as JS reads them: `name:value\n` per header, names lower-case,
/// values as latin-1 (fetch's ByteString). One string crosses instead of one per header.
fn header_lines(headers: &HeaderMap, out: &mut String) {
    for (name, value) in headers {
        out.push_str(name.as_str());
        out.push(':');
        match value.to_str() {
            Ok(s) => out.push_str(s),
            Err(_) => out.extend(value.as_bytes().iter().map(|&b| b as char)),
        }
        out.push('\n');
    }
}

fn pool_options(o: &HttpClientOptions) -> alova_core::Result<PoolOptions> {
    let mut pool = PoolOptions::default();
    if let Some(n) = o.connections {
        let n = crate::validate::option_in_range("connections", n, 1.0, 65_535.0, true)?;
        pool.connections = Some(n as usize);
    }
    if let Some(t) = crate::validate::option_ms("keepAliveTimeout", o.keep_alive_timeout)? {
        pool.idle_timeout = t;
    }
    pool.keep_alive = o.keep_alive.unwrap_or(true);
    pool.allow_h2 = o.allow_h2.unwrap_or(true);
    pool.connect_timeout = crate::validate::option_ms("connectTimeout", o.connect_timeout)?;
    Ok(pool)
}

/// The most redirects followed, whatever `maxRedirects` asks for.
const MAX_REDIRECTS: u32 = 1000;

/// The most request headers accepted: far above what any server takes, and below the
/// header map's own limit, which it enforces by panicking.
const MAX_REQUEST_HEADERS: usize = 16 * 1024;

const COPY_MAX: usize = 64 * 1024;

fn to_buffer(b: Bytes) -> Buffer {
    Buffer::from(Vec::from(b))
}

/// A response body still arriving: `read()` resolves to the next batch, `null` at the end.
#[napi]
pub struct HttpBody {
    stream: Arc<Mutex<Option<BodyStream>>>,
    cancelled: Arc<Notify>,
}

impl HttpBody {
    fn new(s: BodyStream) -> HttpBody {
        HttpBody {
            stream: Arc::new(Mutex::new(Some(s))),
            cancelled: Arc::new(Notify::new()),
        }
    }
}

#[napi]
impl HttpBody {
    #[napi(catch_unwind, ts_return_type = "Promise<Buffer | null>")]
    pub fn read<'env>(&self, env: &'env Env) -> error::Result<PromiseRaw<'env, Option<Buffer>>> {
        let stream = self.stream.clone();
        let cancelled = self.cancelled.clone();
        guard(|| {
            promise(env, async move {
                let mut guard = stream.lock().await;
                let Some(s) = guard.as_mut() else {
                    return Ok(None);
                };
                let batch = tokio::select! {
                    biased;
                    _ = cancelled.notified() => Err(Error::new(Code::Aborted, "This operation was aborted")),
                    r = s.next_batch() => r,
                };
                match batch {
                    Ok(Some(b)) => Ok(Some(to_buffer(b))),
                    Ok(None) => {
                        *guard = None;
                        Ok(None)
                    }
                    Err(e) => {
                        *guard = None;
                        Err(e)
                    }
                }
            })
        })
    }

    /// Stops the body and closes its connection; a pending `read()` rejects.
    #[napi(catch_unwind)]
    pub fn cancel(&self) -> error::Result<()> {
        guard(|| {
            self.cancelled.notify_one();
            if let Ok(mut stream) = self.stream.try_lock() {
                *stream = None;
            }
            Ok(())
        })
    }
}

/// A request body written from JS while the request is sent: `write()` resolves when the
/// engine has room for more (`false` once the request is gone), `end()` finishes the body.
#[napi]
pub struct HttpUpload {
    tx: std::sync::Mutex<Option<mpsc::Sender<alova_core::Result<Bytes>>>>,
    rx: std::sync::Mutex<Option<mpsc::Receiver<alova_core::Result<Bytes>>>>,
}

impl HttpUpload {
    fn take_receiver(&self) -> alova_core::Result<mpsc::Receiver<alova_core::Result<Bytes>>> {
        self.rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| Error::new(Code::InvalidArgument, "this upload body is already in use"))
    }

    fn sender(&self) -> Option<mpsc::Sender<alova_core::Result<Bytes>>> {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[napi]
impl HttpUpload {
    #[napi(catch_unwind, constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        // A few chunks in flight: enough to keep the connection busy, bounded memory.
        let (tx, rx) = mpsc::channel(4);
        HttpUpload {
            tx: std::sync::Mutex::new(Some(tx)),
            rx: std::sync::Mutex::new(Some(rx)),
        }
    }

    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn write<'env>(
        &self,
        env: &'env Env,
        chunk: Uint8Array,
    ) -> error::Result<PromiseRaw<'env, bool>> {
        let bytes = Bytes::copy_from_slice(&chunk);
        let tx = self.sender();
        guard(|| {
            promise(env, async move {
                Ok(match tx {
                    Some(tx) => tx.send(Ok(bytes)).await.is_ok(),
                    None => false,
                })
            })
        })
    }

    /// Ends the body; with `error`, aborts the request instead.
    #[napi(catch_unwind)]
    pub fn end(&self, error: Option<String>) -> error::Result<()> {
        guard(|| {
            let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let (Some(tx), Some(message)) = (tx, error) {
                // Must reach the request (a dropped sender would end the body as if complete).
                runtime().spawn(async move {
                    let _ = tx.send(Err(Error::new(Code::Body, message))).await;
                });
            }
            Ok(())
        })
    }
}
