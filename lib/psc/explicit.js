'use strict';
// A synchronous in-memory cache, the default local copy of a PSC adapter.
//
// When a native replica keeps it valid, changed entries are first recorded as unread, with
// their JSON when a drain handed it over, and parsed on first read (JSON not handed over is
// taken from the source given to `kLoadFrom`), so that a late worker receiving thousands of
// entries does not parse those it never reads. The entries of a snapshot are not
// even named: while the source counts unlisted entries, an absent key is asked for there.
// Entries live in a Map (inserting ten thousand long keys into a plain object costs three
// times as much).
const { isExpired } = require('../core/expiry');

// A changed entry not read yet: `json`, its JSON handed over with a drain (parsed on first
// read), or `''` when it is to be taken from the source.
class Unread {
  constructor(json) {
    this.json = json;
  }
}
const UNREAD = new Unread('');
// What a replica-backed PSC adapter calls on its local copy (not part of alova's interface).
const kLoadFrom = Symbol('alova.psc.loadFrom');
const kApplyKeyChanges = Symbol('alova.psc.applyKeyChanges');
const kApplyChangeText = Symbol('alova.psc.applyChangeText');
const kHeldEntries = Symbol('alova.psc.heldEntries');
// No source: nothing is unlisted (slot 1).
const NONE_UNLISTED = new Int32Array(2);

class ExplicitCacheAdapter {
  constructor() {
    this._map = new Map();
    this._load = undefined;
    // Slot 1: how many entries the source holds that this copy was not told about; `_list()`
    // names them.
    this._unlisted = NONE_UNLISTED;
    this._list = undefined;
    this._refresh = undefined;
  }
  set(key, value) {
    this._map.set(key, value);
  }
  get(key) {
    const v = this._map.get(key);
    if (v instanceof Unread) return this._read(key, v.json);
    // The source holds string keys only (a key of another type is never there).
    if (v === undefined && this._unlisted[1] !== 0 && typeof key === 'string' && !this._map.has(key)) return this._read(key, '');
    return v;
  }
  remove(key) {
    this._map.delete(key);
  }
  clear() {
    this._map = new Map();
  }
  /** Every entry, as a plain object (a copy). */
  getCache() {
    this._refresh?.();
    if (this._unlisted[1] !== 0) {
      for (const key of this._list()) if (!this._map.has(key)) this._map.set(key, UNREAD);
    }
    const out = {};
    for (const key of this._map.keys()) {
      const v = this.get(key);
      if (v !== undefined || this._map.has(key)) out[key] = v;
    }
    return out;
  }
  /**
   * Where the JSON of an entry recorded as changed is read from: `load(key)` → text or null;
   * `unlisted[1]`: how many entries that source holds unnamed (an absent key is then asked
   * for), `list()` names them; `refresh()` records every change not recorded yet (a read
   * records only what it needs).
   */
  [kLoadFrom](load, unlisted = NONE_UNLISTED, list = () => [], refresh = undefined) {
    this._load = load;
    this._unlisted = unlisted;
    this._list = list;
    this._refresh = refresh;
  }
  /**
   * Records the replica's changed keys; their values are read on first use. A full change
   * replaces the copy, except the values of `held` keys (unchanged since this copy took them).
   */
  [kApplyKeyChanges](full, set, del, held, texts) {
    if (full) {
      const old = this._map;
      this._map = new Map();
      for (let i = 0; i < held.length; i++) {
        const key = held[i];
        const v = old.get(key);
        // A value to be taken from the source is the source's to name again.
        if (v !== UNREAD && (v !== undefined || old.has(key))) this._map.set(key, v);
      }
    }
    for (let i = 0; i < set.length; i++) this._changed(set[i], texts === null ? '' : texts[i]);
    for (let i = 0; i < del.length; i++) this.remove(del[i]);
  }
  /** Records `key` as changed, read on first use from `json` (or, if `''`, from the source). */
  _changed(key, json) {
    this._map.set(key, json === '' ? UNREAD : new Unread(json));
  }
  /**
   * Records the changes of a plain key drain, read in place: `'2'`, each changed key followed
   * by its JSON (`''`: not handed over, taken on first read), all joined by NUL, U+0001, the
   * removed keys joined by NUL (no key is empty, none holds a separator). With `named`, the
   * changed and removed keys are pushed onto its two arrays. Returns how many keys changed.
   */
  [kApplyChangeText](text, named) {
    const sep = text.indexOf('\u0001');
    let n = 0;
    for (let i = 1; i < sep; n++) {
      const k = text.indexOf('\0', i);
      let j = text.indexOf('\0', k + 1);
      if (j < 0 || j > sep) j = sep;
      const key = text.slice(i, k);
      this._changed(key, text.slice(k + 1, j));
      if (named) named[0].push(key);
      i = j + 1;
    }
    for (let i = sep + 1; i < text.length; n++) {
      let j = text.indexOf('\0', i);
      if (j < 0) j = text.length;
      const key = text.slice(i, j);
      this.remove(key);
      if (named) named[1].push(key);
      i = j + 1;
    }
    return n;
  }
  /** The values this copy holds (already read), as `[keys, JSON texts]`. */
  [kHeldEntries]() {
    const keys = [];
    const texts = [];
    for (const [key, v] of this._map) {
      if (v instanceof Unread) {
        if (v !== UNREAD) keys.push(key), texts.push(v.json);
        continue;
      }
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      keys.push(key);
      texts.push(text);
    }
    return [keys, texts];
  }
  /** The first read of `key`: parses `json` (`''`: taken from the source first). */
  _read(key, json) {
    const text = json === '' ? this._load(key) : json;
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

module.exports = { ExplicitCacheAdapter, kLoadFrom, kApplyKeyChanges, kApplyChangeText, kHeldEntries };
