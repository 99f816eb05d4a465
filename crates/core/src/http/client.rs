use std::sync::{Arc, Once, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::body::{read_inline, too_large, BodyStream, ResponseBody};
use super::pool::{OriginLimit, PoolOptions};
use super::stats::{CountConnections, Counters, Stats, Turn};
use super::upload::{self, UploadProgress};
use super::urls::Urls;
use crate::error::{Code, Error, Result};

/// Bodies up to this size (known from Content-Length) are read whole before the response is
/// handed over, so a typical request costs one crossing into JS.
const INLINE_MAX: u64 = 1024 * 1024;

/// fetch's cause for a redirect that leaves HTTP(S).
const NOT_HTTP: &str = "URL scheme must be a HTTP(S) scheme";

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Extra trusted roots, PEM (one or many certificates per entry).
    pub ca: Vec<Vec<u8>>,
    /// `false` accepts any server certificate (tests, private networks).
    pub reject_unauthorized: bool,
    /// Redirects followed before the request fails (fetch's limit is 20).
    pub max_redirects: usize,
    /// Largest response body accepted, in bytes.
    pub max_response_size: Option<u64>,
    /// An explicit proxy for every request.
    pub proxy: Option<String>,
    /// Without `proxy`: follow `HTTP(S)_PROXY`/`NO_PROXY`. Off by default, as Node's fetch.
    pub env_proxy: bool,
    /// Sent when the request has no `user-agent` of its own.
    pub user_agent: String,
    pub pool: PoolOptions,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            ca: Vec::new(),
            reject_unauthorized: true,
            max_redirects: 20,
            max_response_size: None,
            proxy: None,
            env_proxy: false,
            // What Node's fetch sends.
            user_agent: "node".to_string(),
            pool: PoolOptions::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirect {
    Follow,
    /// Hand 3xx responses over as they are.
    Manual,
    /// Fail on a redirect.
    Error,
}

impl Redirect {
    pub fn parse(s: &str) -> Result<Redirect> {
        match s {
            "" | "follow" => Ok(Redirect::Follow),
            "manual" => Ok(Redirect::Manual),
            "error" => Ok(Redirect::Error),
            other => Err(Error::new(
                Code::InvalidArgument,
                format!("redirect must be 'follow', 'manual' or 'error', got '{other}'"),
            )),
        }
    }
}

pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<RequestBody>,
    pub timeout: Option<Duration>,
    pub redirect: Redirect,
    /// Set when the caller wants upload progress.
    pub upload: Option<Arc<UploadProgress>>,
}

pub enum RequestBody {
    Bytes(Bytes),
    /// Chunks produced while the request is sent; an `Err` aborts the upload.
    Stream(tokio::sync::mpsc::Receiver<Result<Bytes>>),
}

impl<T: Into<Bytes>> From<T> for RequestBody {
    fn from(b: T) -> Self {
        RequestBody::Bytes(b.into())
    }
}

#[derive(Debug)]
pub struct Head {
    pub status: u16,
    pub status_text: String,
    pub url: String,
    pub redirected: bool,
    /// As received, in order (names lower-case).
    pub headers: HeaderMap,
}

pub struct Response {
    pub head: Head,
    pub body: ResponseBody,
}

pub struct Client {
    options: ClientOptions,
    follow: reqwest::Client,
    manual: OnceLock<std::result::Result<reqwest::Client, Error>>,
    limit: Option<OriginLimit>,
    counters: Arc<Counters>,
    urls: Urls,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only when another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client> {
        install_crypto_provider();
        let counters = Arc::new(Counters::default());
        let follow = build(
            &options,
            reqwest::redirect::Policy::limited(options.max_redirects),
            &counters,
        )?;
        Ok(Client {
            counters,
            limit: options.pool.connections.map(OriginLimit::new),
            options,
            follow,
            manual: OnceLock::new(),
            urls: Urls::default(),
        })
    }

    fn client_for(&self, redirect: Redirect) -> Result<&reqwest::Client> {
        match redirect {
            Redirect::Follow => Ok(&self.follow),
            Redirect::Manual | Redirect::Error => self
                .manual
                .get_or_init(|| {
                    build(
                        &self.options,
                        reqwest::redirect::Policy::none(),
                        &self.counters,
                    )
                })
                .as_ref()
                .map_err(Clone::clone),
        }
    }

    /// Checks and assembles a request without sending it, so that bad input fails at once.
    pub fn prepare(&self, req: &mut Request) -> Result<(reqwest::RequestBuilder, String)> {
        let url = self.urls.parse(&req.url).map_err(|e| {
            Error::new(
                Code::InvalidArgument,
                format!("invalid URL '{}': {e}", req.url),
            )
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(Error::new(
                Code::InvalidArgument,
                format!(
                    "unsupported URL scheme '{}:' (only http and https)",
                    url.scheme()
                ),
            ));
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            Error::new(
                Code::InvalidArgument,
                format!("invalid HTTP method '{}'", req.method),
            )
        })?;
        if req.body.is_some() && (method == reqwest::Method::GET || method == reqwest::Method::HEAD)
        {
            return Err(Error::new(
                Code::InvalidArgument,
                "Request with GET/HEAD method cannot have body.",
            ));
        }
        let mut headers = HeaderMap::with_capacity(req.headers.len());
        for (name, value) in &req.headers {
            // The length is the body's own; a caller's value could only contradict it.
            if name.eq_ignore_ascii_case("content-length") {
                continue;
            }
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::new(
                    Code::InvalidArgument,
                    format!("invalid header name {name:?}"),
                )
            })?;
            let v = HeaderValue::from_str(value.trim_matches([' ', '\t'])).map_err(|_| {
                Error::new(
                    Code::InvalidArgument,
                    format!("invalid value for header '{name}': {value:?}"),
                )
            })?;
            headers.append(n, v);
        }
        // fetch states the length of an empty body, and of none for these methods; hyper
        // would send no length at all.
        let zero_length = match &req.body {
            None => matches!(method.as_str(), "POST" | "PUT" | "PATCH"),
            Some(RequestBody::Bytes(b)) => b.is_empty(),
            Some(RequestBody::Stream(_)) => false,
        };
        if zero_length {
            headers.insert(
                reqwest::header::CONTENT_LENGTH,
                HeaderValue::from_static("0"),
            );
        }
        let normalized = url.as_str().to_owned();
        let mut builder = self
            .client_for(req.redirect)?
            .request(method, url)
            .headers(headers);
        builder = match (req.body.take(), &req.upload) {
            (None, _) => builder,
            (Some(RequestBody::Bytes(b)), None) => builder.body(b),
            (Some(RequestBody::Bytes(b)), Some(progress)) => {
                upload::body(b, progress.clone(), builder)
            }
            (Some(RequestBody::Stream(rx)), progress) => {
                upload::stream(rx, progress.clone(), builder)
            }
        };
        Ok((builder, normalized))
    }

    /// Sends the request; `cancel` resolving aborts it. The timeout covers the wait for the
    /// response head, as in alova's fetch adapter.
    pub async fn send(
        &self,
        mut req: Request,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<Response> {
        let redirect = req.redirect;
        let timeout = req.timeout;
        let (builder, requested) = self.prepare(&mut req)?;
        let upload = req.upload;
        let mut turn = self.counters.request();
        let work = async move {
            // Waiting for a turn on the origin counts against the timeout.
            let sent = async {
                if let Some(limit) = &self.limit {
                    // `requested` was parsed by `prepare` already.
                    if let Ok(url) = reqwest::Url::parse(&requested) {
                        let _waiting = self.counters.wait();
                        turn.permit = limit.acquire(&url).await;
                    }
                }
                Ok::<_, Error>((turn, builder.send().await.map_err(network)?))
            };
            let (turn, resp) = match timeout {
                Some(t) => tokio::time::timeout(t, sent)
                    .await
                    .map_err(|_| Error::new(Code::Timeout, "network timeout"))?,
                None => sent.await,
            }?;
            if let Some(progress) = &upload {
                progress.finish();
            }
            if redirect == Redirect::Error && resp.status().is_redirection() {
                return Err(Error::new(Code::Network, "unexpected redirect"));
            }
            // A redirect still here in follow mode points where HTTP cannot go (`file:`,
            // `data:`, ...): fetch fails rather than hand over the 3xx.
            if redirect == Redirect::Follow
                && matches!(resp.status().as_u16(), 301 | 302 | 303 | 307 | 308)
                && resp.headers().contains_key(reqwest::header::LOCATION)
            {
                return Err(Error::new(Code::Network, NOT_HTTP));
            }
            self.finish(resp, requested, turn).await
        };
        let outcome = tokio::select! {
            biased;
            _ = cancel => Err(Error::new(Code::Aborted, "This operation was aborted")),
            r = work => r,
        };
        if matches!(&outcome, Err(e) if e.code != Code::Aborted) {
            self.counters.error();
        }
        outcome
    }

    /// The counters since this client was made.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    async fn finish(
        &self,
        mut resp: reqwest::Response,
        requested: String,
        turn: Turn,
    ) -> Result<Response> {
        let limit = self.options.max_response_size;
        let status = resp.status();
        let redirected = resp.url().as_str() != requested;
        let head = Head {
            status: status.as_u16(),
            status_text: reason(&resp),
            redirected,
            url: if redirected {
                resp.url().as_str().to_owned()
            } else {
                requested
            },
            // Moved out: the body is read without them.
            headers: std::mem::take(resp.headers_mut()),
        };
        let length = resp.content_length();
        if let (Some(len), Some(max)) = (length, limit) {
            if len > max {
                return Err(too_large(max));
            }
        }
        let body = match length {
            Some(len) if len <= INLINE_MAX => {
                let bytes = read_inline(resp, limit).await?;
                self.counters.received(bytes.len());
                ResponseBody::Complete(bytes)
            }
            _ => {
                BodyStream::new(resp, limit, turn, self.counters.clone())
                    .into_body()
                    .await?
            }
        };
        Ok(Response { head, body })
    }
}

fn build(
    options: &ClientOptions,
    policy: reqwest::redirect::Policy,
    counters: &Arc<Counters>,
) -> Result<reqwest::Client> {
    let b = reqwest::Client::builder()
        .redirect(policy)
        .tcp_nodelay(true)
        .connector_layer(CountConnections(counters.clone()));
    let mut b = options.pool.apply(b);
    for pem in &options.ca {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            Error::with_cause(Code::InvalidArgument, "invalid `ca` certificate", &e)
        })?;
        if certs.is_empty() {
            return Err(Error::new(
                Code::InvalidArgument,
                "invalid `ca`: no PEM certificate found",
            ));
        }
        b = b.tls_certs_merge(certs);
    }
    if !options.reject_unauthorized {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    if let Some(proxy) = &options.proxy {
        let p = reqwest::Proxy::all(proxy)
            .map_err(|e| Error::with_cause(Code::InvalidArgument, "invalid `proxy`", &e))?;
        b = b.proxy(p);
    } else if !options.env_proxy {
        b = b.no_proxy();
    }
    if !options.user_agent.is_empty() {
        let ua = HeaderValue::from_str(&options.user_agent)
            .map_err(|_| Error::new(Code::InvalidArgument, "invalid `userAgent` header value"))?;
        b = b.user_agent(ua);
    }
    b.build()
        .map_err(|e| Error::with_cause(Code::InvalidArgument, "cannot build the HTTP client", &e))
}

/// The reason phrase the server sent (HTTP/1 only; hyper keeps it only when non-standard),
/// else the standard one.
fn reason(resp: &reqwest::Response) -> String {
    match resp.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(r) => String::from_utf8_lossy(r.as_bytes()).into_owned(),
        None => resp.status().canonical_reason().unwrap_or("").to_string(),
    }
}

fn network(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        return Error::new(Code::Timeout, "network timeout");
    }
    if e.is_builder() {
        // The request's own URL was checked by `prepare`: a scheme refused here is a
        // redirect's, which fetch reports as a network failure with this cause.
        if e.url()
            .is_some_and(|u| !matches!(u.scheme(), "http" | "https"))
        {
            return Error::new(Code::Network, NOT_HTTP);
        }
        return Error::with_cause(Code::InvalidArgument, "invalid request", &e);
    }
    if let Some(failure) = super::failure::system_failure(&e) {
        return failure;
    }
    Error::with_cause(Code::Network, "request failed", &e)
}
