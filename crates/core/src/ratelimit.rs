//! In-memory rate-limit records with the semantics of alova's limiter store (which follows
//! rate-limiter-flexible): a record is `(consumed points, expire timestamp in ms)`, `-1`
//! meaning "never expires". Every operation on one key runs under that key's shard lock, so
//! `consume` is atomic: with `limit` points and any number of concurrent callers (JS threads
//! included) exactly `limit` consumes see `consumed <= limit`.
//!
//! Times are passed in by the caller (milliseconds since the epoch) so that the JS side, which
//! computes `msBeforeNext` from `Date.now()`, and the store agree on one clock.
//!
//! # The record step
//!
//! [`step`] is the one rule every store applies; the JS store over a plain storage adapter
//! (`lib/server/rate-limit/record.js`) and the Redis script (same file) are checked against it
//! through the shared vectors in `__test__/fixtures/vectors/ratelimit.json`. Given the old record (or
//! none), `points`, `duration_ms`, `limit`, `block_ms`, `force` and `now`:
//!
//! 1. A duration `<= 0` means "never expires": the new expiry is `-1`, else `now + duration_ms`.
//! 2. `force` overwrites: the record is `(points, that expiry)`, nothing else applies.
//! 3. Otherwise the old record counts when its expiry is `> now` (a `-1` record does not):
//!    its points are added when it counts or when the new duration never expires, and its
//!    expiry is kept when it counts and the new duration does expire.
//! 4. Consume only (`block_ms > 0`): the step that first takes the points over `limit`
//!    (`limit < points_after <= limit + points`) moves the expiry to `now + block_ms`.
//!    Upserts pass `block_ms = 0`.
use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A stored record: points consumed in the current window and when the window ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub points: f64,
    /// Expiry in ms since the epoch; `-1` never expires.
    pub expire: f64,
}

impl Record {
    fn is_live(&self, now: f64) -> bool {
        self.expire <= 0.0 || self.expire > now
    }
}

/// Records below this count are never swept; above it a sweep runs whenever the map has
/// doubled since the previous one, which keeps the amortised cost per insert constant.
const SWEEP_FLOOR: usize = 1024;

#[derive(Default)]
pub struct MemoryStore {
    /// Keyed by the key's UTF-8 bytes, which is what the binding receives.
    map: DashMap<Box<[u8]>, Record>,
    /// Size after the last sweep; the next sweep waits until the map is twice as large.
    swept_len: AtomicUsize,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `points` to the record (alova's non-forced upsert) or overwrites it (`force`).
    ///
    /// Non-forced: a "never expires" duration (`duration_ms <= 0`) adds the old points and
    /// stores `-1`; otherwise a live window keeps its points and expiry, an ended one starts
    /// afresh at `now + duration_ms`.
    pub fn upsert(
        &self,
        key: &[u8],
        points: f64,
        duration_ms: f64,
        force: bool,
        now: f64,
    ) -> Record {
        let step_args = Step {
            points,
            duration_ms,
            limit: 0.0,
            block_ms: 0.0,
            force,
        };
        self.update(key, now, |old| step(old, &step_args, now))
    }

    /// Consumes `points` and, the first time the window goes over `limit` with
    /// `block_ms > 0`, extends the window to `now + block_ms` — both in one atomic step.
    pub fn consume(
        &self,
        key: &[u8],
        points: f64,
        duration_ms: f64,
        limit: f64,
        block_ms: f64,
        now: f64,
    ) -> Record {
        let step_args = Step {
            points,
            duration_ms,
            limit,
            block_ms,
            force: false,
        };
        self.update(key, now, |old| step(old, &step_args, now))
    }

    /// The live record for `key`, if any.
    pub fn get(&self, key: &[u8], now: f64) -> Option<Record> {
        self.map.get(key).map(|r| *r).filter(|r| r.is_live(now))
    }

    /// Removes `key`; true when it existed.
    pub fn delete(&self, key: &[u8]) -> bool {
        self.map.remove(key).is_some()
    }

    pub fn clear(&self) {
        self.map.clear();
        self.swept_len.store(0, Ordering::Relaxed);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn update(&self, key: &[u8], now: f64, f: impl FnOnce(Option<Record>) -> Record) -> Record {
        // The common case (key present) must not allocate.
        if let Some(mut slot) = self.map.get_mut(key) {
            let rec = f(Some(*slot));
            *slot = rec;
            return rec;
        }
        let rec = match self.map.entry(Box::from(key)) {
            // another thread inserted it between the two lookups
            Entry::Occupied(mut o) => {
                let rec = f(Some(*o.get()));
                *o.get_mut() = rec;
                rec
            }
            Entry::Vacant(v) => *v.insert(f(None)),
        };
        self.maybe_sweep(now);
        rec
    }

    fn maybe_sweep(&self, now: f64) {
        let len = self.map.len();
        let last = self.swept_len.load(Ordering::Relaxed);
        if len < SWEEP_FLOOR || len < last.saturating_mul(2) {
            return;
        }
        self.map.retain(|_, r| r.is_live(now));
        self.swept_len.store(self.map.len(), Ordering::Relaxed);
    }
}

/// The arguments of one record step (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub points: f64,
    pub duration_ms: f64,
    pub limit: f64,
    pub block_ms: f64,
    pub force: bool,
}

/// The record after one consume or upsert step on `old` (the rule in the module docs).
pub fn step(old: Option<Record>, s: &Step, now: f64) -> Record {
    let never = s.duration_ms <= 0.0;
    let mut rec = Record {
        points: s.points,
        expire: if never { -1.0 } else { now + s.duration_ms },
    };
    if s.force {
        return rec;
    }
    let (old_points, old_expire) = old.map_or((0.0, 0.0), |r| (r.points, r.expire));
    let live = old_expire > now;
    if never || live {
        rec.points += old_points;
    }
    if !never && live {
        rec.expire = old_expire;
    }
    if s.block_ms > 0.0 && rec.points > s.limit && rec.points <= s.limit + s.points {
        rec.expire = now + s.block_ms;
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;
    use std::sync::Arc;

    /// The shared vectors: the same cases run by the JS store and the Redis script.
    #[test]
    fn step_matches_the_shared_vectors() {
        let text = include_str!("../../../__test__/fixtures/vectors/ratelimit.json");
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        assert!(cases.len() >= 20);
        let num = |v: &serde_json::Value| v.as_f64().unwrap();
        let rec = |v: &serde_json::Value| Record {
            points: num(&v[0]),
            expire: num(&v[1]),
        };
        for c in cases {
            let old = (!c["old"].is_null()).then(|| rec(&c["old"]));
            let s = Step {
                points: num(&c["points"]),
                duration_ms: num(&c["durationMs"]),
                limit: num(&c["limit"]),
                block_ms: num(&c["blockMs"]),
                force: c["force"].as_bool().unwrap(),
            };
            let got = step(old, &s, num(&c["now"]));
            assert_eq!(got, rec(&c["expect"]), "{}", c["name"]);
            // the store applies the same step
            let store = MemoryStore::new();
            if let Some(o) = old {
                store.upsert(b"k", o.points, 0.0, true, 0.0);
                store.map.get_mut(&b"k"[..]).unwrap().expire = o.expire;
            }
            let now = num(&c["now"]);
            let via_store = if s.force || s.block_ms == 0.0 && s.limit == 0.0 {
                store.upsert(b"k", s.points, s.duration_ms, s.force, now)
            } else {
                store.consume(b"k", s.points, s.duration_ms, s.limit, s.block_ms, now)
            };
            assert_eq!(via_store, got, "store: {}", c["name"]);
        }
    }

    #[test]
    fn consume_keeps_the_window_and_adds_points() {
        let s = MemoryStore::new();
        let a = s.consume(b"k", 1.0, 1000.0, 4.0, 0.0, 10_000.0);
        assert_eq!(
            a,
            Record {
                points: 1.0,
                expire: 11_000.0
            }
        );
        let b = s.consume(b"k", 2.0, 1000.0, 4.0, 0.0, 10_500.0);
        assert_eq!(
            b,
            Record {
                points: 3.0,
                expire: 11_000.0
            }
        );
        // window over: starts afresh
        let c = s.consume(b"k", 1.0, 1000.0, 4.0, 0.0, 11_000.0);
        assert_eq!(
            c,
            Record {
                points: 1.0,
                expire: 12_000.0
            }
        );
    }

    #[test]
    fn blocks_only_on_the_first_excess() {
        let s = MemoryStore::new();
        s.consume(b"k", 4.0, 1000.0, 4.0, 5000.0, 0.5);
        let over = s.consume(b"k", 1.0, 1000.0, 4.0, 5000.0, 1.0);
        assert_eq!(
            over,
            Record {
                points: 5.0,
                expire: 5001.0
            }
        );
        let again = s.consume(b"k", 1.0, 1000.0, 4.0, 5000.0, 2.0);
        assert_eq!(
            again,
            Record {
                points: 6.0,
                expire: 5001.0
            }
        );
    }

    #[test]
    fn never_expiring_and_forced_records() {
        let s = MemoryStore::new();
        s.upsert(b"k", 2.0, 0.0, false, 1.0);
        let r = s.upsert(b"k", 3.0, 0.0, false, 2.0);
        assert_eq!(
            r,
            Record {
                points: 5.0,
                expire: -1.0
            }
        );
        assert_eq!(s.get(b"k", 1e15), Some(r));
        let f = s.upsert(b"k", 7.0, 100.0, true, 10.0);
        assert_eq!(
            f,
            Record {
                points: 7.0,
                expire: 110.0
            }
        );
        assert_eq!(s.get(b"k", 109.0), Some(f));
        assert_eq!(s.get(b"k", 110.0), None);
        assert!(s.delete(b"k"));
        assert!(!s.delete(b"k"));
    }

    #[test]
    fn exactly_limit_pass_under_threads() {
        let s = Arc::new(MemoryStore::new());
        let passed = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (s, passed) = (s.clone(), passed.clone());
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        if s.consume(b"k", 1.0, 60_000.0, 100.0, 0.0, 1.0).points <= 100.0 {
                            passed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(passed.load(Ordering::Relaxed), 100);
    }

    #[test]
    fn sweeps_expired_records_as_the_map_grows() {
        let s = MemoryStore::new();
        for i in 0..SWEEP_FLOOR {
            s.consume(format!("old{i}").as_bytes(), 1.0, 10.0, 1.0, 0.0, 0.0);
        }
        // the old ones have expired at t=100; the insert that doubles the map sweeps them
        for i in 0..SWEEP_FLOOR {
            s.consume(format!("new{i}").as_bytes(), 1.0, 10.0, 1.0, 0.0, 100.0);
        }
        assert!(s.len() <= SWEEP_FLOOR, "len {}", s.len());
        assert!(s.get(b"new0", 100.0).is_some());
        assert!(s.get(b"old0", 100.0).is_none());
    }
}
