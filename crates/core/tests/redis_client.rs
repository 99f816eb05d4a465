//! The engine's Redis client against a real `redis-server` on a free loopback port (skipped
//! with a note when the binary is missing).
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alova_core::redis::{Client, Options, Value};
use alova_core::Code;

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_server(port: u16) -> std::io::Result<Child> {
    let port = port.to_string();
    Command::new("redis-server")
        .args([
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
}

async fn start() -> Option<Server> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = spawn_server(port);
    let Ok(child) = child else {
        eprintln!("redis-server not installed: skipped");
        return None;
    };
    let server = Server(child, port);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis-server did not start");
}

fn options(port: u16) -> Options {
    Options {
        port: Some(port),
        command_timeout: Duration::from_millis(1000),
        connect_timeout: Duration::from_millis(1000),
        ..Default::default()
    }
}

#[tokio::test]
async fn commands_pipelines_scripts_and_clear() {
    let Some(server) = start().await else { return };
    let c = Client::new(&options(server.1)).unwrap();
    c.set("p:a", "[1]", Some(5000)).await.unwrap();
    assert_eq!(c.get("p:a").await.unwrap().as_deref(), Some("[1]"));
    let cmd = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let replies = c
        .exec(&[
            cmd(&["SET", "p:b", "x"]),
            cmd(&["GET", "p:b"]),
            cmd(&["GET", "p:none"]),
            cmd(&["DEL", "p:b"]),
        ])
        .await
        .unwrap();
    assert_eq!(
        replies,
        vec![
            Value::Okay,
            Value::BulkString(b"x".to_vec()),
            Value::Nil,
            Value::Int(1)
        ]
    );
    let v = c
        .eval(
            "return {redis.call('PTTL', KEYS[1]) > 0, ARGV[1]}",
            &["p:a".into()],
            &["é".into()],
        )
        .await
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![Value::Int(1), Value::BulkString("é".into())])
    );
    for i in 0..50 {
        c.set(&format!("p:{i}"), "1", None).await.unwrap();
    }
    c.set("other", "1", None).await.unwrap();
    assert_eq!(c.clear("p:", &[]).await.unwrap(), 51);
    assert_eq!(c.get("other").await.unwrap().as_deref(), Some("1"));
    assert_eq!(
        c.clear("", &[]).await.unwrap_err().code,
        Code::InvalidArgument
    );
}

#[tokio::test]
async fn clear_by_key_space_and_typed_commands() {
    let Some(server) = start().await else { return };
    let c = Client::new(&options(server.1)).unwrap();
    for k in [
        "s:$a.1",
        "s:$a.2",
        "s:hss.x",
        "s:rlflx:k",
        "s:alova-captcha:k",
    ] {
        c.set(k, "1", None).await.unwrap();
    }
    let spaces = ["$a.".to_string(), "hss.".to_string()];
    assert_eq!(c.clear("s:", &spaces).await.unwrap(), 3);
    assert_eq!(c.get("s:rlflx:k").await.unwrap().as_deref(), Some("1"));
    assert_eq!(
        c.get("s:alova-captcha:k").await.unwrap().as_deref(),
        Some("1")
    );
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let n = c.command(&args(&["INCRBY", "n", "5"])).await.unwrap();
    assert_eq!(n, Value::Int(5));
    c.set("str", "x", None).await.unwrap();
    let err = c.command(&args(&["INCR", "str"])).await.unwrap_err();
    assert_eq!(
        err.message,
        "Redis replied: ERR value is not an integer or out of range"
    );
}

#[tokio::test]
async fn fails_in_time_while_down_and_recovers() {
    let Some(server) = start().await else { return };
    let port = server.1;
    let c = Client::new(&options(port)).unwrap();
    c.set("k", "v", None).await.unwrap();
    drop(server);
    let t = std::time::Instant::now();
    let err = c.get("k").await.unwrap_err();
    assert!(
        matches!(err.code, Code::RedisUnavailable | Code::Timeout),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_millis(1500));
    // Same port again: the client reconnects by itself.
    let _again = Server(spawn_server(port).unwrap(), port);
    let mut ok = false;
    for _ in 0..100 {
        if c.set("k", "w", None).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ok, "reconnected");
    assert_eq!(c.get("k").await.unwrap().as_deref(), Some("w"));
}
