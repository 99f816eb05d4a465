//! The hub's copy of every scope: the state each new or resynchronising client receives.
//!
//! Scopes are kept apart (a clear or a snapshot touches one scope). Each scope is bounded:
//! beyond `max_entries` the least recently written entry is evicted, and the hub tells the
//! subscribers so every copy drops the same key. Expired entries are dropped by `sweep`.
use std::collections::{HashMap, VecDeque};

use super::protocol::{Scope, WriteOp};

struct Entry {
    value: String,
    expires: Option<f64>,
    order: u64,
}

#[derive(Default)]
struct ScopeMap {
    entries: HashMap<String, Entry>,
    /// Keys in the order of their writes: an item whose entry has since been rewritten or
    /// removed is stale, skipped when evicting and dropped when it outnumbers the live ones.
    writes: VecDeque<(u64, String)>,
}

impl ScopeMap {
    fn current(&self, order: u64, key: &str) -> bool {
        self.entries.get(key).is_some_and(|e| e.order == order)
    }

    /// Drops stale items once they outnumber the entries (amortised over the writes).
    fn compact(&mut self) {
        if self.writes.len() > 2 * self.entries.len() + 1024 {
            let mut writes = std::mem::take(&mut self.writes);
            writes.retain(|(o, k)| self.current(*o, k));
            self.writes = writes;
        }
    }
}

pub struct Store {
    scopes: HashMap<Scope, ScopeMap>,
    next_order: u64,
    max_entries: usize,
    /// The earliest expiry of an entry (a lower bound: removals do not raise it), or infinity.
    soonest: f64,
}

impl Store {
    pub fn new(max_entries: usize) -> Self {
        Store {
            scopes: HashMap::new(),
            next_order: 0,
            max_entries: max_entries.max(1),
            soonest: f64::INFINITY,
        }
    }

    /// Applies a write whose value (if any) expires at `expires` (see `json_text::scan`);
    /// returns the keys evicted to stay within the bound.
    pub fn apply(&mut self, scope: &Scope, op: WriteOp, expires: Option<f64>) -> Vec<String> {
        match op {
            WriteOp::Set { key, value } => self.set(scope, key, value, expires),
            WriteOp::Remove { key } => {
                if let Some(m) = self.scopes.get_mut(scope) {
                    m.entries.remove(&key);
                    m.compact();
                }
                Vec::new()
            }
            WriteOp::Clear => {
                self.scopes.remove(scope);
                Vec::new()
            }
        }
    }

    fn set(
        &mut self,
        scope: &Scope,
        key: String,
        value: String,
        expires: Option<f64>,
    ) -> Vec<String> {
        self.next_order += 1;
        let order = self.next_order;
        if let Some(t) = expires {
            self.soonest = self.soonest.min(t);
        }
        let m = match self.scopes.get_mut(scope) {
            Some(m) => m,
            None => self.scopes.entry(scope.clone()).or_default(),
        };
        let entry = Entry {
            value,
            expires,
            order,
        };
        match m.entries.get_mut(&key) {
            Some(e) => *e = entry,
            None => {
                m.entries.insert(key.clone(), entry);
            }
        }
        m.writes.push_back((order, key));
        let mut evicted = Vec::new();
        while m.entries.len() > self.max_entries {
            let Some((o, k)) = m.writes.pop_front() else {
                break;
            };
            if m.current(o, &k) {
                m.entries.remove(&k);
                evicted.push(k);
            }
        }
        m.compact();
        evicted
    }

    pub fn contains(&self, scope: &Scope, key: &str) -> bool {
        self.scopes
            .get(scope)
            .is_some_and(|m| m.entries.contains_key(key))
    }

    /// The live entries of one scope (key, JSON, expiry), in the same order each time while
    /// the store is unchanged.
    pub fn live(&self, scope: &Scope, now: f64) -> impl Iterator<Item = (&str, &str, Option<f64>)> {
        self.scopes
            .get(scope)
            .into_iter()
            .flat_map(|m| m.entries.iter())
            .filter(move |(_, e)| e.expires.is_none_or(|t| t > now))
            .map(|(k, e)| (k.as_str(), e.value.as_str(), e.expires))
    }

    /// When the next entry expires, if any does.
    pub fn next_expiry(&self) -> Option<f64> {
        self.soonest.is_finite().then_some(self.soonest)
    }

    /// Drops expired entries of every scope.
    pub fn sweep(&mut self, now: f64) {
        let mut soonest = f64::INFINITY;
        for m in self.scopes.values_mut() {
            m.entries.retain(|_, e| {
                let live = e.expires.is_none_or(|t| t > now);
                if let Some(t) = e.expires.filter(|_| live) {
                    soonest = soonest.min(t);
                }
                live
            });
            m.compact();
        }
        self.scopes.retain(|_, m| !m.entries.is_empty());
        self.soonest = soonest;
    }

    pub fn len(&self, scope: &Scope) -> usize {
        self.scopes.get(scope).map_or(0, |m| m.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psc::protocol::expiry_of;

    /// `Store::apply` with the value's expiry read as the hub reads it.
    fn put(s: &mut Store, scope: &Scope, op: WriteOp) -> Vec<String> {
        let expires = match &op {
            WriteOp::Set { value, .. } => expiry_of(value),
            _ => None,
        };
        s.apply(scope, op, expires)
    }

    fn set(k: &str, v: &str) -> WriteOp {
        WriteOp::Set {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn scopes_are_apart() {
        let mut s = Store::new(10);
        let a = Some("a".to_string());
        put(&mut s, &None, set("k", "1"));
        put(&mut s, &a, set("k", "2"));
        put(&mut s, &a, WriteOp::Clear);
        assert_eq!(
            s.live(&None, 0.0).collect::<Vec<_>>(),
            vec![("k", "1", None)]
        );
        assert_eq!(s.live(&a, 0.0).count(), 0);
    }

    #[test]
    fn bounded_by_least_recent_write() {
        let mut s = Store::new(2);
        put(&mut s, &None, set("a", "1"));
        put(&mut s, &None, set("b", "1"));
        put(&mut s, &None, set("a", "2"));
        assert_eq!(put(&mut s, &None, set("c", "1")), vec!["b".to_string()]);
        assert_eq!(s.len(&None), 2);
    }

    #[test]
    fn rewrites_and_removals_keep_the_write_order_bounded() {
        let mut s = Store::new(3);
        for i in 0..10_000 {
            put(&mut s, &None, set(&format!("k{}", i % 4), "1"));
            put(&mut s, &None, WriteOp::Remove { key: "k3".into() });
        }
        assert!(s.scopes[&None].writes.len() <= 2 * 3 + 1024 + 1);
        // Each write of k3 evicted the least recent key (k0 last); k1 (9997) is next.
        put(&mut s, &None, set("k0", "2"));
        assert_eq!(put(&mut s, &None, set("x", "1")), vec!["k1".to_string()]);
        assert_eq!(s.len(&None), 3);
    }

    #[test]
    fn expired_entries_leave_snapshots_and_sweeps() {
        let mut s = Store::new(10);
        put(&mut s, &None, set("old", "[1,1000000001000]"));
        put(&mut s, &None, set("new", "[1,1000000003000]"));
        assert_eq!(s.live(&None, 1000000002000.0).count(), 1);
        s.sweep(1000000002000.0);
        assert_eq!(s.len(&None), 1);
        assert!(s.contains(&None, "new"));
    }
}
