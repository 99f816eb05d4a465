'use strict';
// A synchronous in-memory cache, the default local copy of a PSC adapter.
//
// When a native replica keeps it valid, changed entries are first recorded as UNREAD and
// their JSON is fetched and parsed on first read (from the source given to `kLoadFrom`), so that a late worker receiving
// thousands of entries does not parse those it never reads. Entries live in a Map (inserting
// ten thousand long keys into a plain object costs three times as much).
const { isExpired } = require('../core/expiry');

const UNREAD = Symbol('alova.psc.unread');
// What a replica-backed PSC adapter calls on its local copy (not part of alova's interface).
const kLoadFrom = Symbol('alova.psc.loadFrom');
const kApplyKeyChanges = Symbol('alova.psc.applyKeyChanges');
const kHeldEntries = Symbol('alova.psc.heldEntries');

class ExplicitCacheAdapter {
  constructor() {
    this._map = new Map();
    this._load = undefined;
  }
  set(key, value) {
    this._map.set(key, value);
  }
  get(key) {
    const v = this._map.get(key);
    return v === UNREAD ? this._read(key) : v;
  }
  remove(key) {
    this._map.delete(key);
  }
  clear() {
    this._map = new Map();
  }
  /** Every entry, as a plain object (a copy). */
  getCache() {
    const out = {};
    for (const key of this._map.keys()) {
      const v = this.get(key);
      if (v !== undefined || this._map.has(key)) out[key] = v;
    }
    return out;
  }
  /** Where the JSON of an entry recorded as changed is read from: `load(key)` → text or null. */
  [kLoadFrom](load) {
    this._load = load;
  }
  /**
   * Records the replica's changed keys; their values are read on first use. A full change
   * replaces the copy, except the values of `held` keys (unchanged since this copy took them).
   */
  [kApplyKeyChanges](full, set, del, held) {
    if (full) {
      const old = this._map;
      this._map = new Map();
      for (let i = 0; i < held.length; i++) {
        const v = old.get(held[i]);
        if (v !== undefined && v !== UNREAD) this._map.set(held[i], v);
      }
    }
    const m = this._map;
    for (let i = 0; i < set.length; i++) m.set(set[i], UNREAD);
    for (let i = 0; i < del.length; i++) m.delete(del[i]);
  }
  /** The values this copy holds (already read), as `[keys, JSON texts]`. */
  [kHeldEntries]() {
    const keys = [];
    const texts = [];
    for (const [key, v] of this._map) {
      if (v === UNREAD) continue;
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      keys.push(key);
      texts.push(text);
    }
    return [keys, texts];
  }
  _read(key) {
    const text = this._load(key);
    if (text === null || text === undefined) {
      this._map.delete(key);
      return undefined;
    }
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      // Only a peer writing into the shared log directly can put this here: the hub drops
      // it, so it never becomes the shared value.
      this._map.delete(key);
      return undefined;
    }
    // Checked once, as the value enters the copy; the replica drops it when it expires later.
    if (isExpired(value)) {
      this._map.delete(key);
      return undefined;
    }
    this._map.set(key, value);
    return value;
  }
}

module.exports = { ExplicitCacheAdapter, kLoadFrom, kApplyKeyChanges, kHeldEntries };
