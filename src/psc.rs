//! Binding for the process-shared cache: the hub, links (hub client or Redis) and replicas.
//! A replica's change counter is exposed as an external ArrayBuffer so that JS can tell,
//! with a plain memory read, whether anything changed since it last drained.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use alova_core::psc::protocol::{expiry_time, Expiry};
use alova_core::psc::{
    ClientOptions, Hub, HubClient, HubOptions, Limits, RedisSync, RedisSyncOptions, Replica,
};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;

use crate::error::{guard, internal, invalid_arg, to_js, Result};
use crate::handles::Handles;

#[napi(object)]
#[derive(Default)]
pub struct PscOptions {
    /// Largest frame accepted from a peer, in bytes.
    pub max_frame_bytes: Option<u32>,
    /// Entries kept per scope.
    pub max_entries: Option<u32>,
    /// Largest value accepted by `set`, in bytes.
    pub max_value_bytes: Option<u32>,
    /// Redis: values above this are published as removals.
    pub max_publish_bytes: Option<u32>,
}

fn positive(v: Option<u32>, name: &str) -> Result<Option<usize>> {
    match v {
        Some(0) => Err(invalid_arg(format!("`{name}` must be a positive integer"))),
        v => Ok(v.map(|v| v as usize)),
    }
}

fn key_bound(key: &str) -> Result<()> {
    crate::validate::bounded("key", key, crate::validate::MAX_PSC_KEY_BYTES).map_err(to_js)
}

fn limits(o: &PscOptions) -> Result<Limits> {
    let d = Limits::default();
    Ok(Limits {
        max_entries: positive(o.max_entries, "maxEntries")?.unwrap_or(d.max_entries),
        max_value_bytes: positive(o.max_value_bytes, "maxValueBytes")?.unwrap_or(d.max_value_bytes),
    })
}

#[napi]
pub struct PscHub {
    hub: Mutex<Option<Hub>>,
}

#[napi]
impl PscHub {
    /// Serves the hub on `path` in a background thread.
    #[napi(catch_unwind, factory)]
    pub fn start(path: String, options: Option<PscOptions>) -> Result<PscHub> {
        guard(|| Self::serve(path, options))
    }

    fn serve(path: String, options: Option<PscOptions>) -> Result<PscHub> {
        let o = options.unwrap_or_default();
        let d = HubOptions::default();
        let opts = HubOptions {
            max_frame: positive(o.max_frame_bytes, "maxFrameBytes")?.unwrap_or(d.max_frame),
            max_entries: positive(o.max_entries, "maxEntries")?.unwrap_or(d.max_entries),
        };
        let hub = Hub::start(&PathBuf::from(path), opts).map_err(to_js)?;
        Ok(PscHub {
            hub: Mutex::new(Some(hub)),
        })
    }

    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        guard(|| {
            if let Some(mut h) = self.hub.lock().unwrap_or_else(|p| p.into_inner()).take() {
                h.stop();
            }
            Ok(())
        })
    }
}

enum Link {
    Hub(HubClient),
    Redis(RedisSync),
}

/// Called with `false` on each (re)connection and `true` once a snapshot is in its replicas.
type EventCallback = Function<'static, bool, ()>;

fn on_event_callback(cb: Option<EventCallback>) -> Result<Option<alova_core::psc::OnLinkEvent>> {
    let Some(cb) = cb else { return Ok(None) };
    let tsfn = Arc::new(
        cb.build_threadsafe_function::<bool>()
            .weak::<true>()
            .build()
            .map_err(internal)?,
    );
    Ok(Some(Box::new(move |event| {
        let synced = event == alova_core::psc::LinkEvent::Synced;
        tsfn.call(synced, ThreadsafeFunctionCallMode::NonBlocking);
    })))
}

#[napi]
pub struct PscLink {
    link: Link,
}

#[napi]
impl PscLink {
    /// Connects to the hub at `path` in the background (an absent hub is retried).
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "path: string, options?: PscOptions | undefined | null, onEvent?: ((synced: boolean) => void) | undefined | null"
    )]
    pub fn connect_hub(
        path: String,
        options: Option<PscOptions>,
        on_event: Option<EventCallback>,
    ) -> Result<PscLink> {
        guard(|| Self::hub_link(path, options, on_event))
    }

    fn hub_link(
        path: String,
        options: Option<PscOptions>,
        on_event: Option<EventCallback>,
    ) -> Result<PscLink> {
        let o = options.unwrap_or_default();
        let d = ClientOptions::default();
        let opts = ClientOptions {
            max_frame: positive(o.max_frame_bytes, "maxFrameBytes")?.unwrap_or(d.max_frame),
            limits: limits(&o)?,
            ..d
        };
        let client = HubClient::connect(PathBuf::from(path), opts, on_event_callback(on_event)?)
            .map_err(to_js)?;
        Ok(PscLink {
            link: Link::Hub(client),
        })
    }

    /// Publishes and subscribes on `channel` of the Redis server at `url`.
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "url: string, channel: string, options?: PscOptions | undefined | null, onEvent?: ((synced: boolean) => void) | undefined | null"
    )]
    pub fn connect_redis(
        url: String,
        channel: String,
        options: Option<PscOptions>,
        on_event: Option<EventCallback>,
    ) -> Result<PscLink> {
        guard(|| Self::redis_link(url, channel, options, on_event))
    }

    fn redis_link(
        url: String,
        channel: String,
        options: Option<PscOptions>,
        on_event: Option<EventCallback>,
    ) -> Result<PscLink> {
        let o = options.unwrap_or_default();
        let d = RedisSyncOptions::default();
        let opts = RedisSyncOptions {
            channel,
            limits: limits(&o)?,
            max_publish_bytes: positive(o.max_publish_bytes, "maxPublishBytes")?
                .unwrap_or(d.max_publish_bytes),
        };
        let sync = RedisSync::connect(&url, opts, on_event_callback(on_event)?).map_err(to_js)?;
        Ok(PscLink {
            link: Link::Redis(sync),
        })
    }

    /// A new replica of `scope` (absent scope and `''` are different scopes).
    #[napi(catch_unwind)]
    pub fn attach(&self, scope: Option<String>) -> Result<PscReplica> {
        guard(|| {
            let r = match &self.link {
                Link::Hub(c) => c.attach(scope),
                Link::Redis(s) => s.attach(scope),
            };
            let id = REPLICAS.add(r.clone());
            Ok(PscReplica { r, id })
        })
    }

    #[napi(catch_unwind, getter)]
    pub fn connected(&self) -> Result<bool> {
        guard(|| {
            Ok(match &self.link {
                Link::Hub(c) => c.is_connected(),
                Link::Redis(s) => s.is_connected(),
            })
        })
    }

    /// Sends what is queued, then closes the connection(s).
    #[napi(catch_unwind)]
    pub fn stop(&self) -> Result<()> {
        guard(|| {
            match &self.link {
                Link::Hub(c) => c.stop(),
                Link::Redis(s) => s.stop(),
            }
            Ok(())
        })
    }
}

#[napi]
pub struct PscReplica {
    r: Arc<Replica>,
    id: u32,
}

/// Replicas by id, for the calls a read makes after a change (see `handles`).
static REPLICAS: Handles<Replica> = Handles::new();

impl Drop for PscReplica {
    fn drop(&mut self) {
        REPLICAS.remove(self.id.into());
    }
}

// napi registers the functions below at load time; a test build of the binding has no caller.
#[cfg_attr(test, allow(dead_code))]
fn with_replica<T>(id: f64, f: impl FnOnce(&Replica) -> T) -> Result<T> {
    guard(|| {
        REPLICAS
            .with(id, f)
            .ok_or_else(|| invalid_arg(format!("shared cache replica {id} does not exist")))
    })
}

/// The changed keys of replica `id` (see `PscReplica#id`), in the text form of
/// `drain::drain_keys`.
#[cfg_attr(test, allow(dead_code))]
#[napi(catch_unwind)]
pub fn psc_drain_keys(id: f64) -> Result<String> {
    with_replica(id, crate::drain::drain_keys)
}

/// The JSON text of `key` in replica `id`, handed over: the caller keeps the value from now
/// on (drains then list the key as held until it changes), or null.
#[cfg_attr(test, allow(dead_code))]
#[napi(catch_unwind)]
pub fn psc_take(id: f64, key: String) -> Result<Option<String>> {
    with_replica(id, |r| r.take(&key))
}

/// `set` in replica `id` for a caller that keeps the value itself: only its size stays
/// there. `expiry`: when the value expires, as the caller read it from the value (0: never),
/// or NaN to have it read from the JSON.
#[cfg_attr(test, allow(dead_code))]
#[napi(catch_unwind)]
pub fn psc_set_held(id: f64, key: String, value: String, expiry: f64) -> Result<()> {
    key_bound(&key)?;
    let expiry = if expiry.is_nan() {
        Expiry::Unread
    } else {
        Expiry::Read(expiry_time(expiry))
    };
    with_replica(id, |r| r.set_held(key, value, expiry).map_err(to_js))?
}

#[napi]
impl PscReplica {
    /// An 8-byte ArrayBuffer (read it through an Int32Array): the change counter, then how
    /// many entries the reader was not told about (an absent key may be one: `take` it).
    #[napi(catch_unwind, ts_return_type = "ArrayBuffer")]
    pub fn counter<'env>(&self, env: &'env Env) -> Result<ArrayBuffer<'env>> {
        guard(|| {
            let keep = self.r.clone();
            let ptr = self.r.counter_ptr() as *mut u8;
            // SAFETY: both counters live inside the Arc'd replica, kept alive by the
            // finaliser's clone until the ArrayBuffer is collected.
            unsafe { ArrayBuffer::from_external(env, ptr, 8, keep, |_, k| drop(k)) }
                .map_err(internal)
        })
    }

    /// True once the shared state is in this copy (the hub's first snapshot applied).
    #[napi(catch_unwind, getter)]
    pub fn synced(&self) -> Result<bool> {
        guard(|| Ok(self.r.synced()))
    }

    /// Changes when the replica starts or stops using a shared log.
    #[napi(catch_unwind, getter)]
    pub fn ring_gen(&self) -> Result<u32> {
        guard(|| Ok(self.r.ring_gen()))
    }

    /// Identifies the shared log's mapping (its address), or 0 without one. One ArrayBuffer
    /// per mapping: V8 refuses two over the same memory.
    #[napi(catch_unwind, getter)]
    pub fn ring_key(&self) -> Result<f64> {
        guard(|| {
            if let Some(r) = self.r.ring() {
                return Ok(r.commit_ptr() as usize as f64);
            }
            Ok(0.0)
        })
    }

    /// A 4-byte ArrayBuffer over the shared log's commit counter, or null.
    #[napi(catch_unwind, ts_return_type = "ArrayBuffer | null")]
    pub fn ring_counter<'env>(&self, env: &'env Env) -> Result<Option<ArrayBuffer<'env>>> {
        guard(|| self.ring_counter_buffer(env))
    }

    fn ring_counter_buffer<'env>(&self, env: &'env Env) -> Result<Option<ArrayBuffer<'env>>> {
        if let Some(ring) = self.r.ring() {
            let ptr = ring.commit_ptr();
            // SAFETY: the counter lives in the mapping, kept by the finaliser's Arc.
            return unsafe { ArrayBuffer::from_external(env, ptr, 4, ring, |_, k| drop(k)) }
                .map(Some)
                .map_err(internal);
        }
        let _ = env;
        Ok(None)
    }

    /// An ArrayBuffer over the shared log's key slots (`u32`s; see `lib/psc/adapter.js`), or
    /// null without a log or with one whose writers keep none.
    #[napi(catch_unwind, ts_return_type = "ArrayBuffer | null")]
    pub fn ring_slots<'env>(&self, env: &'env Env) -> Result<Option<ArrayBuffer<'env>>> {
        guard(|| {
            let Some(ring) = self.r.ring() else {
                return Ok(None);
            };
            let Some((ptr, len)) = ring.slots_ptr() else {
                return Ok(None);
            };
            // SAFETY: the slots live in the mapping, kept by the finaliser's Arc.
            unsafe { ArrayBuffer::from_external(env, ptr, len, ring, |_, k| drop(k)) }
                .map(Some)
                .map_err(internal)
        })
    }

    /// Sets `key` to the JSON text `value` here and sends it.
    #[napi(catch_unwind)]
    pub fn set(&self, key: String, value: String) -> Result<()> {
        guard(|| {
            key_bound(&key)?;
            self.r.set(key, value).map_err(to_js)
        })
    }

    #[napi(catch_unwind)]
    pub fn remove(&self, key: String) -> Result<()> {
        guard(|| {
            key_bound(&key)?;
            self.r.remove(key);
            Ok(())
        })
    }

    #[napi(catch_unwind)]
    pub fn clear(&self) -> Result<()> {
        guard(|| {
            self.r.clear();
            Ok(())
        })
    }

    /// Changes since the last drain as JSON text:
    /// `{"full":boolean,"set":{key:value,...},"del":[key,...]}`.
    #[napi(catch_unwind)]
    pub fn drain(&self) -> Result<String> {
        guard(|| Ok(crate::drain::drain_json(&self.r)))
    }

    /// The id `pscDrainKeys` and `pscTake` take.
    #[napi(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The current JSON text of `key`, or null.
    #[napi(catch_unwind)]
    pub fn get(&self, key: String) -> Result<Option<String>> {
        guard(|| Ok(self.r.get(&key)))
    }

    /// The keys the reader was not told about (it learns them now).
    #[napi(catch_unwind)]
    pub fn list_unlisted(&self) -> Result<Vec<String>> {
        guard(|| Ok(self.r.list_unlisted()))
    }

    /// True when a restarted hub needs the JSON of the values the caller holds (`offerHeld`).
    #[napi(catch_unwind, getter)]
    pub fn wants_offer(&self) -> Result<bool> {
        guard(|| Ok(self.r.wants_offer()))
    }

    /// The JSON of the values the caller holds, `keys[i]` → `values[i]`, for a restarted hub.
    #[napi(catch_unwind)]
    pub fn offer_held(&self, keys: Vec<String>, values: Vec<String>) -> Result<()> {
        guard(|| {
            if keys.len() != values.len() {
                return Err(invalid_arg("`keys` and `values` differ in length"));
            }
            self.r.offer_held(keys.into_iter().zip(values).collect());
            Ok(())
        })
    }

    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> Result<u32> {
        guard(|| Ok(self.r.len() as u32))
    }

    /// Bytes of the keys and JSON values this copy holds.
    #[napi(catch_unwind, getter)]
    pub fn bytes(&self) -> Result<f64> {
        guard(|| Ok(self.r.bytes() as f64))
    }
}
