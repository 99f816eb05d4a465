//! The engine against loopback servers that speak raw HTTP/1.1.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::error::Code;

/// Serves every connection with `reply(request_head, request_body)`, keep-alive included.
async fn serve<F>(reply: F) -> String
where
    F: Fn(&str, &[u8]) -> Vec<u8> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let reply = reply.clone();
            tokio::spawn(async move { connection(sock, &*reply).await });
        }
    });
    format!("http://{addr}")
}

async fn connection(mut sock: TcpStream, reply: &(dyn Fn(&str, &[u8]) -> Vec<u8> + Send + Sync)) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let lower = head.to_ascii_lowercase();
        let (body, used) = loop {
            let framed = if lower.contains("transfer-encoding: chunked") {
                dechunk(&buf[head_end..])
            } else {
                let len = lower
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                (buf.len() >= head_end + len).then(|| (buf[head_end..head_end + len].to_vec(), len))
            };
            if let Some(done) = framed {
                break done;
            }
            let mut chunk = [0u8; 65536];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        buf.drain(..head_end + used);
        let out = reply(&head, &body);
        if out.is_empty() {
            // Never answer: lets timeouts and aborts be observed.
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        }
        if sock.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// A complete chunked body at the start of `b`: the bytes and how much of `b` they took.
fn dechunk(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let line_end = at + b[at..].windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[at..line_end]).ok()?.trim(), 16).ok()?;
        let data = line_end + 2;
        if b.len() < data + size + 2 {
            return None;
        }
        if size == 0 {
            return Some((body, data + 2));
        }
        body.extend_from_slice(&b[data..data + size]);
        at = data + size + 2;
    }
}

fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get(url: &str) -> Request {
    Request {
        method: "GET".into(),
        url: url.into(),
        headers: vec![],
        body: None,
        timeout: None,
        redirect: Redirect::Follow,
        upload: None,
    }
}

fn never() -> std::future::Pending<()> {
    std::future::pending()
}

async fn failure(client: &Client, req: Request) -> crate::Error {
    client
        .send(req, never())
        .await
        .err()
        .expect("the request should fail")
}

fn complete(r: &Response) -> &[u8] {
    match &r.body {
        ResponseBody::Complete(b) => b,
        ResponseBody::Stream(_) => panic!("expected a complete body"),
    }
}

#[tokio::test]
async fn get_returns_status_headers_and_body() {
    let url = serve(|head, _| {
        assert!(head.starts_with("GET /x?a=1 HTTP/1.1"));
        assert!(head.to_ascii_lowercase().contains("x-test: yes"));
        ok("hello")
    })
    .await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let mut req = get(&format!("{url}/x?a=1"));
    req.headers.push(("X-Test".into(), "yes".into()));
    let r = client.send(req, never()).await.unwrap();
    assert_eq!(r.head.status, 200);
    assert_eq!(r.head.status_text, "OK");
    assert!(!r.head.redirected);
    assert_eq!(r.head.headers["content-type"], "text/plain");
    assert_eq!(complete(&r), b"hello");
}

#[tokio::test]
async fn post_sends_the_body_and_reports_upload_progress() {
    let url = serve(|head, body| {
        assert!(head.starts_with("POST "));
        ok(&body.len().to_string())
    })
    .await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (s, c) = (seen.clone(), calls.clone());
    let mut req = get(&url);
    req.method = "POST".into();
    req.body = Some(vec![7u8; 300_000].into());
    req.upload = Some(UploadProgress::new(move |n| {
        s.store(n, Ordering::SeqCst);
        c.fetch_add(1, Ordering::SeqCst);
    }));
    let r = client.send(req, never()).await.unwrap();
    assert_eq!(complete(&r), b"300000");
    assert_eq!(seen.load(Ordering::SeqCst), 300_000);
    assert!(
        calls.load(Ordering::SeqCst) >= 4,
        "one report per 64 KiB slice"
    );
}

#[tokio::test]
async fn follows_redirects_up_to_the_limit() {
    let url = serve(|head, _| {
        let path = head.split(' ').nth(1).unwrap().to_string();
        let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
        if n == 0 {
            return ok("done");
        }
        format!(
            "HTTP/1.1 302 Found\r\nlocation: /{}\r\ncontent-length: 0\r\n\r\n",
            n - 1
        )
        .into_bytes()
    })
    .await;
    let client = Client::new(ClientOptions {
        max_redirects: 3,
        ..Default::default()
    })
    .unwrap();
    let r = client
        .send(get(&format!("{url}/3")), never())
        .await
        .unwrap();
    assert_eq!(complete(&r), b"done");
    assert!(r.head.redirected);
    assert!(r.head.url.ends_with("/0"));
    let e = failure(&client, get(&format!("{url}/4"))).await;
    assert_eq!(e.code, Code::Network);

    let mut manual = get(&format!("{url}/2"));
    manual.redirect = Redirect::Manual;
    let r = client.send(manual, never()).await.unwrap();
    assert_eq!(r.head.status, 302);
    let mut error = get(&format!("{url}/2"));
    error.redirect = Redirect::Error;
    assert_eq!(failure(&client, error).await.code, Code::Network);
}

#[tokio::test]
async fn timeout_and_cancel() {
    let url = serve(|_, _| Vec::new()).await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let mut req = get(&url);
    req.timeout = Some(Duration::from_millis(50));
    assert_eq!(failure(&client, req).await.code, Code::Timeout);
    let cancel = tokio::time::sleep(Duration::from_millis(30));
    assert_eq!(
        client.send(get(&url), cancel).await.err().unwrap().code,
        Code::Aborted
    );
}

#[tokio::test]
async fn bad_input_is_rejected_before_sending() {
    let client = Client::new(ClientOptions::default()).unwrap();
    for url in ["not a url", "ftp://127.0.0.1/", "file:///etc/passwd"] {
        let e = failure(&client, get(url)).await;
        assert_eq!(e.code, Code::InvalidArgument, "{url}: {}", e.message);
    }
    let mut req = get("http://127.0.0.1:1/");
    req.headers
        .push(("x-a".into(), "b\r\nx-injected: 1".into()));
    assert_eq!(failure(&client, req).await.code, Code::InvalidArgument);
    let mut req = get("http://127.0.0.1:1/");
    req.body = Some("x".into());
    assert_eq!(failure(&client, req).await.code, Code::InvalidArgument);
    let bad_ca = ClientOptions {
        ca: vec![b"nonsense".to_vec()],
        ..Default::default()
    };
    assert_eq!(
        Client::new(bad_ca).err().unwrap().code,
        Code::InvalidArgument
    );
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::new(ClientOptions::default()).unwrap();
    let e = failure(&client, get(&format!("http://127.0.0.1:{port}/"))).await;
    assert_eq!(e.code, Code::Network);
    assert_eq!(e.message, format!("connect ECONNREFUSED 127.0.0.1:{port}"));
}

/// A server that reads a request, then closes: with a reset, or with a plain shutdown.
async fn hang_up(reset: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            if reset {
                // SO_LINGER 0: closing sends a reset (and does not block).
                #[allow(deprecated)]
                sock.set_linger(Some(Duration::ZERO)).unwrap();
            } else {
                let _ = sock.shutdown().await;
            }
        }
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn failures_are_told_as_node_tells_them() {
    let client = Client::new(ClientOptions::default()).unwrap();
    let e = failure(&client, get(&hang_up(true).await)).await;
    assert_eq!(e.message, "read ECONNRESET");
    let e = failure(&client, get(&hang_up(false).await)).await;
    assert_eq!(e.message, "other side closed");
    // A name that does not resolve.
    let e = failure(&client, get("http://no-such-host.invalid/")).await;
    assert!(
        e.message == "getaddrinfo ENOTFOUND no-such-host.invalid"
            || e.message == "getaddrinfo EAI_AGAIN no-such-host.invalid",
        "{}",
        e.message
    );
}

#[tokio::test]
async fn default_user_agent_and_empty_body_length_as_fetch_sends_them() {
    let url = serve(|head, _| ok(head)).await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let head_of = |method: &str, headers: Vec<(String, String)>| {
        let mut r = get(&format!("{url}/"));
        r.method = method.to_string();
        r.headers = headers;
        r
    };
    let text = |r: Response| {
        String::from_utf8(complete(&r).to_vec())
            .unwrap()
            .to_ascii_lowercase()
    };
    for m in ["POST", "PUT", "PATCH"] {
        let sent = text(client.send(head_of(m, vec![]), never()).await.unwrap());
        assert!(sent.contains("\r\ncontent-length: 0\r\n"), "{m}: {sent}");
        assert!(sent.contains("\r\nuser-agent: node\r\n"), "{m}: {sent}");
    }
    for m in ["GET", "DELETE"] {
        let sent = text(client.send(head_of(m, vec![]), never()).await.unwrap());
        assert!(!sent.contains("content-length"), "{m}: {sent}");
    }
    let mut empty = head_of("DELETE", vec![]);
    empty.body = Some(RequestBody::Bytes(bytes::Bytes::new()));
    let sent = text(client.send(empty, never()).await.unwrap());
    assert!(
        sent.contains("\r\ncontent-length: 0\r\n"),
        "empty body: {sent}"
    );
    let own = vec![("User-Agent".to_string(), "mine/1".to_string())];
    let sent = text(client.send(head_of("GET", own), never()).await.unwrap());
    assert!(sent.contains("\r\nuser-agent: mine/1\r\n"), "{sent}");
    assert_eq!(sent.matches("user-agent").count(), 1, "{sent}");
}

#[tokio::test]
async fn large_bodies_stream_and_respect_the_limit() {
    const SIZE: usize = 3 * 1024 * 1024;
    let url = serve(|_, _| {
        // Chunked, so the size is not known in advance.
        let mut out = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..SIZE / 65536 {
            out.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
            out.extend(std::iter::repeat_n(b'a', 65536));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        out
    })
    .await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let r = client.send(get(&url), never()).await.unwrap();
    let mut total = match &r.body {
        ResponseBody::Complete(b) => b.len(),
        ResponseBody::Stream(_) => 0,
    };
    if let ResponseBody::Stream(mut s) = r.body {
        while let Some(b) = s.next_batch().await.unwrap() {
            assert!(b.len() <= 512 * 1024);
            total += b.len();
        }
    }
    assert_eq!(total, SIZE);

    let limited = Client::new(ClientOptions {
        max_response_size: Some(1 << 20),
        ..Default::default()
    })
    .unwrap();
    let err = match limited.send(get(&url), never()).await {
        Err(e) => e,
        Ok(r) => match r.body {
            ResponseBody::Stream(mut s) => loop {
                match s.next_batch().await {
                    Err(e) => break e,
                    Ok(None) => panic!("limit not enforced"),
                    Ok(Some(_)) => {}
                }
            },
            ResponseBody::Complete(_) => panic!("limit not enforced"),
        },
    };
    assert_eq!(err.code, Code::BodyTooLarge);

    let url = serve(|_, _| ok(&"b".repeat(5000))).await;
    let small = Client::new(ClientOptions {
        max_response_size: Some(100),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(failure(&small, get(&url)).await.code, Code::BodyTooLarge);
}

#[tokio::test]
async fn gzip_is_decoded() {
    // "hello gzip" compressed with gzip -9.
    const GZ: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
        0x57, 0x48, 0xaf, 0xca, 0x2c, 0x00, 0x00, 0x19, 0x6a, 0xd2, 0xdf, 0x0a, 0x00, 0x00, 0x00,
    ];
    let url = serve(|head, _| {
        assert!(head.to_ascii_lowercase().contains("accept-encoding"));
        let mut out = format!(
            "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\n\r\n",
            GZ.len()
        )
        .into_bytes();
        out.extend_from_slice(GZ);
        out
    })
    .await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let r = client.send(get(&url), never()).await.unwrap();
    let mut got = Vec::new();
    match r.body {
        ResponseBody::Complete(b) => got.extend_from_slice(&b),
        ResponseBody::Stream(mut s) => {
            while let Some(b) = s.next_batch().await.unwrap() {
                got.extend_from_slice(&b);
            }
        }
    }
    assert_eq!(got, b"hello gzip");
}

#[tokio::test]
async fn streamed_bodies_are_sent_as_they_come_and_can_fail() {
    let url = serve(|head, body| {
        assert!(head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"));
        ok(&String::from_utf8_lossy(body))
    })
    .await;
    let client = Client::new(ClientOptions::default()).unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let seen = Arc::new(AtomicU64::new(0));
    let s = seen.clone();
    let mut req = get(&url);
    req.method = "POST".into();
    req.body = Some(RequestBody::Stream(rx));
    req.upload = Some(UploadProgress::new(move |n| s.store(n, Ordering::SeqCst)));
    tokio::spawn(async move {
        for part in ["one,", "two,", "three"] {
            tx.send(Ok(bytes::Bytes::from(part))).await.unwrap();
        }
    });
    let r = client.send(req, never()).await.unwrap();
    assert_eq!(complete(&r), b"one,two,three");
    assert_eq!(seen.load(Ordering::SeqCst), 13);

    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let mut req = get(&url);
    req.method = "POST".into();
    req.body = Some(RequestBody::Stream(rx));
    tokio::spawn(async move {
        tx.send(Ok(bytes::Bytes::from("partial"))).await.unwrap();
        tx.send(Err(crate::Error::new(Code::Body, "source broke")))
            .await
            .unwrap();
    });
    let e = failure(&client, req).await;
    assert_eq!(e.code, Code::Network);
    assert!(e.message.contains("source broke"), "{}", e.message);
}
