//! Hub and clients over a real Unix socket, in one process.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alova_core::psc::{ClientOptions, Hub, HubClient, HubOptions, Replica};

fn socket(name: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!("alova-psc-rs-{}", std::process::id()))
        .join(format!("{name}.sock"))
}

fn wait(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn client(path: &Path) -> (HubClient, Arc<Replica>) {
    let c = HubClient::connect(path.to_path_buf(), ClientOptions::default(), None).unwrap();
    let r = c.attach(None);
    wait("connect", || c.is_connected());
    (c, r)
}

#[test]
fn late_joiner_gets_10k_entries() {
    let path = socket("late");
    let mut hub = Hub::start(&path, HubOptions::default()).unwrap();
    let (a, ra) = client(&path);
    for i in 0..10_000 {
        let v = format!(
            "[{{\"id\":{i},\"name\":\"user {i}\",\"tags\":[\"a\",\"b\"],\"score\":{i}.5}},{}]",
            4_000_000_000_000u64
        );
        ra.set(format!("$a.1[\"GET\",\"/users/{i}\",{{}},null,{{}}]"), v)
            .unwrap();
    }
    let (b, rb) = client(&path);
    wait("b has every entry", || rb.len() == 10_000);
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let c = HubClient::connect(path.clone(), ClientOptions::default(), None).unwrap();
        let rc = c.attach(None);
        wait("late client has every entry", || rc.len() == 10_000);
        times.push(t.elapsed());
        c.stop();
    }
    eprintln!("late join with 10k entries (connect + snapshot): {times:?}");
    a.stop();
    b.stop();
    hub.stop();
    assert!(!path.exists());
}

#[test]
fn a_second_hub_on_the_same_path_is_refused() {
    let path = socket("twice");
    let mut hub = Hub::start(&path, HubOptions::default()).unwrap();
    assert!(Hub::start(&path, HubOptions::default()).is_err());
    hub.stop();
    let mut again = Hub::start(&path, HubOptions::default()).unwrap();
    again.stop();
}

#[test]
fn writes_queued_without_a_hub_are_bounded_and_still_delivered() {
    let path = socket("queued");
    let (a, ra) = {
        let c = HubClient::connect(path.clone(), ClientOptions::default(), None).unwrap();
        let r = c.attach(None);
        (c, r)
    };
    // More writes than the queue keeps: the queue is dropped, the copy is sent whole.
    for i in 0..100_050u32 {
        ra.set(format!("k{}", i % 20), i.to_string()).unwrap();
    }
    let mut hub = Hub::start(&path, HubOptions::default()).unwrap();
    let (b, rb) = client(&path);
    wait("b has the last values", || {
        (0..20).all(|k| rb.get(&format!("k{k}")) == ra.get(&format!("k{k}")))
    });
    assert_eq!(rb.get("k9").as_deref(), Some("100049"));
    a.stop();
    b.stop();
    hub.stop();
}
