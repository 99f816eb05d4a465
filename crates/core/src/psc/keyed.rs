//! A map from string keys whose keys live back to back in one buffer.
//!
//! A replica's keys live as long as their entries, while the values received beside them are
//! handed to JS and freed. Allocated one by one, each small key would sit among those values'
//! freed memory and keep its pages resident (with 100k entries of 1 KB, ~60 MB the allocator
//! could never return). In one buffer, they leave the freed values' pages whole.
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Removed keys' bytes kept before the buffer is rewritten (also: more than the live ones).
const COMPACT_AFTER: usize = 64 << 10;

struct Slot<V> {
    at: usize,
    len: usize,
    value: V,
}

pub(crate) struct KeyedMap<V> {
    keys: String,
    /// Bytes of `keys` no longer used by a slot.
    garbage: usize,
    table: HashTable<Slot<V>>,
    hasher: RandomState,
}

impl<V> Default for KeyedMap<V> {
    fn default() -> Self {
        KeyedMap {
            keys: String::new(),
            garbage: 0,
            table: HashTable::new(),
            hasher: RandomState::new(),
        }
    }
}

fn key_of<'a, V>(keys: &'a str, s: &Slot<V>) -> &'a str {
    &keys[s.at..s.at + s.len]
}

impl<V> KeyedMap<V> {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        let keys = &self.keys;
        self.table
            .find(self.hasher.hash_one(key), |s| key_of(keys, s) == key)
            .map(|s| &s.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.find_mut(self.hasher.hash_one(key), key)
    }

    fn find_mut(&mut self, hash: u64, key: &str) -> Option<&mut V> {
        let keys = &self.keys;
        self.table
            .find_mut(hash, |s| key_of(keys, s) == key)
            .map(|s| &mut s.value)
    }

    /// Sets `key`'s value; returns the one it replaces.
    pub fn insert(&mut self, key: &str, value: V) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        if let Some(old) = self.find_mut(hash, key) {
            return Some(std::mem::replace(old, value));
        }
        let at = self.keys.len();
        self.keys.push_str(key);
        let (keys, hasher) = (&self.keys, &self.hasher);
        let slot = Slot {
            at,
            len: key.len(),
            value,
        };
        self.table
            .insert_unique(hash, slot, |s| hasher.hash_one(key_of(keys, s)));
        None
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        let keys = &self.keys;
        let hash = self.hasher.hash_one(key);
        let (slot, _) = self
            .table
            .find_entry(hash, |s| key_of(keys, s) == key)
            .ok()?
            .remove();
        self.garbage += slot.len;
        self.compact_if_sparse();
        Some(slot.value)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut V) -> bool) {
        let keys = &self.keys;
        let mut dropped = 0;
        self.table.retain(|s| {
            let kept = keep(key_of(keys, s), &mut s.value);
            if !kept {
                dropped += s.len;
            }
            kept
        });
        self.garbage += dropped;
        self.compact_if_sparse();
    }

    pub fn clear(&mut self) {
        self.table.clear();
        self.keys = String::new();
        self.garbage = 0;
    }

    pub fn reserve(&mut self, additional: usize) {
        let (keys, hasher) = (&self.keys, &self.hasher);
        self.table
            .reserve(additional, |s| hasher.hash_one(key_of(keys, s)));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        let keys = &self.keys;
        self.table.iter().map(move |s| (key_of(keys, s), &s.value))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        let keys = &self.keys;
        self.table
            .iter_mut()
            .map(move |s| (key_of(keys, s), &mut s.value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.table.iter().map(|s| &s.value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.table.iter_mut().map(|s| &mut s.value)
    }

    /// Rewrites the buffer with the live keys only, once removed ones outweigh them.
    fn compact_if_sparse(&mut self) {
        if self.table.is_empty() {
            self.keys.clear();
            self.garbage = 0;
            return;
        }
        if self.garbage < COMPACT_AFTER || self.garbage * 2 < self.keys.len() {
            return;
        }
        let mut keys = String::with_capacity(self.keys.len() - self.garbage);
        for s in self.table.iter_mut() {
            let at = keys.len();
            keys.push_str(key_of(&self.keys, s));
            s.at = at;
        }
        self.keys = keys;
        self.garbage = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Agrees with a HashMap through inserts, rewrites, removals, retains and compactions.
    #[test]
    fn behaves_as_a_hash_map_through_compactions() {
        let mut m = KeyedMap::default();
        let mut want = HashMap::new();
        let mut compactions = 0;
        for round in 0..40u32 {
            for i in 0..2_000u32 {
                let k = format!("key-{}-{}", i % 1_500, "x".repeat((i % 37) as usize));
                let v = round * 10_000 + i;
                assert_eq!(m.insert(&k, v), want.insert(k.clone(), v), "insert {k}");
            }
            let before = m.keys.len();
            for i in (round % 3..1_500).step_by(3) {
                let k = format!("key-{}-{}", i, "x".repeat((i % 37) as usize));
                assert_eq!(m.remove(&k), want.remove(&k), "remove {k}");
            }
            m.retain(|k, v| k.len() % 5 != round as usize % 5 || *v % 2 == 0);
            want.retain(|k, v| k.len() % 5 != round as usize % 5 || *v % 2 == 0);
            compactions += (m.keys.len() < before) as u32;
            assert_eq!(m.len(), want.len());
            for (k, v) in &want {
                assert_eq!(m.get(k), Some(v), "get {k}");
            }
            let mut seen: Vec<(String, u32)> = m.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            seen.sort();
            let mut expected: Vec<(String, u32)> =
                want.iter().map(|(k, v)| (k.clone(), *v)).collect();
            expected.sort();
            assert_eq!(seen, expected);
            assert!(m.keys.len() - m.garbage == want.keys().map(String::len).sum::<usize>());
        }
        assert!(compactions > 0, "the buffer was rewritten");
        m.clear();
        assert_eq!((m.len(), m.keys.len(), m.get("key-1-x")), (0, 0, None));
    }
}
