'use strict';
// The default L1 cache. Values stay in a JS Map, so a hit is a Map lookup and never crosses
// into native code; the native index (crates/core/src/cache.rs) owns LRU order, sizes, byte
// total and expiry times, and decides what to drop. Hits are logged into a small typed array
// and handed to the index in batches (and before any other index call), which keeps the LRU
// order exact without a native call per hit. Expired entries leave on a timer even if nobody
// reads them; the timer is unref'd so it never keeps a process alive.
// `insert` returns `slot + dropped * COUNT_SHIFT` (src/constants.rs)
const { L1Index, L1_COUNT_SHIFT: COUNT_SHIFT } = require('../native');
const { after } = require('../timers');
const { register } = require('../metrics/registry');
const { createEventManager, hasListeners } = require('./events');
const { HSS, HSR, HSRS, kIndexEntry } = require('./storage');
const { expiryOf: entryExpiry } = require('./expiry');

/** Keys are strings, as on alova's object-backed memory adapter (`1` and `'1'` are one key). */
const keyOf = (key) => (typeof key === 'symbol' ? key.toString() : String(key));

const DEFAULTS = Object.freeze({
  maxEntries: 100_000,
  maxBytes: 256 * 1024 * 1024,
  ttl: 0,
  sweepInterval: 1000,
});
// One buffer per cache carries touched slots into native calls and dropped slots back.
const IO_SIZE = 1024;

/** Rough size in bytes of a JS value, for the byte limit. Visits at most `budget` nodes. */
function estimateSize(value, budget = 100_000) {
  let bytes = 0;
  let nodes = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        bytes += 16 + v.length;
        break;
      case 'object':
        if (v === null) {
          bytes += 8;
        } else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
          bytes += 64 + v.byteLength;
        } else if (++nodes > budget) {
          bytes += 64;
        } else if (Array.isArray(v)) {
          bytes += 32 + 8 * v.length;
          for (let i = 0; i < v.length; i++) stack.push(v[i]);
        } else {
          bytes += 32;
          for (const k of Object.keys(v)) {
            bytes += 24 + k.length;
            stack.push(v[k]);
          }
        }
        break;
      default:
        bytes += 8;
    }
  }
  return bytes;
}

/** The entry's own expiry (lib/core/expiry.js); values that never expire by it use `ttl`. */
function expiryOf(value, ttl) {
  return entryExpiry(value) || (ttl > 0 ? Date.now() + ttl : 0);
}

class L1Cache {
  #index;
  #map = new Map();
  /** slot → key, to find the values of slots the index drops. */
  #keys = [];
  #io = null;
  #nTouched = 0;
  #sizeOf;
  #ttl;
  #sweepInterval;
  #timer = null;
  #timerAt = 0;
  #hits = 0;
  #misses = 0;
  /** Entries under `hss.` keys (hit-source indexes): while there are none, no source has targets here. */
  #indexEntries = 0;

  /**
   * @param {object} [options]
   * @param {number} [options.maxEntries=100000] entry limit (0 = none); LRU entries are evicted.
   * @param {number} [options.maxBytes=268435456] byte limit over estimated value sizes (0 = none).
   * @param {number} [options.ttl=0] expiry in ms for values that carry none (0 = never).
   * @param {(value: any, key: string) => number} [options.sizeOf] size estimator.
   * @param {number} [options.sweepInterval=1000] minimum ms between two expiry sweeps.
   */
  constructor(options = {}) {
    const o = { ...DEFAULTS, ...options };
    for (const k of ['maxEntries', 'maxBytes', 'ttl', 'sweepInterval']) {
      if (!(typeof o[k] === 'number' && o[k] >= 0)) throw new TypeError(`L1Cache: ${k} must be a number >= 0`);
    }
    if (o.sizeOf !== undefined && typeof o.sizeOf !== 'function') throw new TypeError('L1Cache: sizeOf must be a function');
    this.#index = new L1Index(Math.min(o.maxEntries, 0xfffffffe) >>> 0, o.maxBytes === Infinity ? 0 : o.maxBytes);
    this.#sizeOf = o.sizeOf || (o.maxBytes > 0 ? estimateSize : () => 0);
    this.#ttl = o.ttl;
    this.#sweepInterval = o.sweepInterval;
    this.limits = Object.freeze({ maxEntries: o.maxEntries, maxBytes: o.maxBytes, ttl: o.ttl });
    this.emitter = createEventManager();
    register('l1', this);
  }

  get(key) {
    if (typeof key !== 'string') key = keyOf(key);
    const entry = this.#map.get(key);
    let value;
    if (entry === undefined) {
      this.#misses++;
    } else {
      this.#hits++;
      value = entry.value;
      const io = this.#io || this.#ioBuffer();
      io[this.#nTouched++] = entry.slot;
      if (this.#nTouched === IO_SIZE) this.#index.touch(io, this.#takeTouches());
    }
    if (hasListeners(this.emitter, 'success')) this.#emit('get', key, value);
    return value;
  }

  /** `get(prefix + key)` for a hit-source index; with no index entry held, without building the key. */
  [kIndexEntry](prefix, key) {
    if (this.#indexEntries === 0 && prefix === HSS && !hasListeners(this.emitter, 'success')) {
      this.#misses++;
      return undefined;
    }
    return this.get(prefix + key);
  }

  set(key, value) {
    if (typeof key !== 'string') key = keyOf(key);
    const bytes = this.#sizeOf(value, key);
    const expireAt = expiryOf(value, this.#ttl);
    const entry = this.#map.get(key);
    const io = this.#io || this.#ioBuffer();
    let dropped;
    if (entry) {
      entry.value = value;
      dropped = this.#index.update(io, this.#takeTouches(), entry.slot, bytes, expireAt);
    } else {
      const r = this.#index.insert(io, this.#takeTouches(), bytes, expireAt, key === HSRS);
      const slot = r % COUNT_SHIFT;
      this.#map.set(key, { value, slot });
      this.#keys[slot] = key;
      if (key.startsWith(HSS)) this.#indexEntries++;
      dropped = (r - slot) / COUNT_SHIFT;
    }
    if (expireAt > 0) this.#scheduleSweep(expireAt);
    if (hasListeners(this.emitter, 'success')) this.#emit('set', key, value);
    if (dropped) this.#drop(dropped);
    // an entry whose expiry has passed already is not kept; later ones leave by the sweep
    // (a hit stays a Map lookup: alova checks the timestamp of what it reads anyway)
    if (expireAt > 0 && expireAt <= Date.now()) this.prune();
  }

  remove(key) {
    if (typeof key !== 'string') key = keyOf(key);
    const entry = this.#map.get(key);
    if (entry) {
      this.#map.delete(key);
      this.#keys[entry.slot] = undefined;
      if (key.startsWith(HSS)) this.#indexEntries--;
      this.#index.remove(this.#io || this.#ioBuffer(), this.#takeTouches(), entry.slot);
    }
    if (hasListeners(this.emitter, 'success')) this.emitter.emit('success', { type: 'remove', key, container: this });
  }

  clear() {
    this.#map.clear();
    this.#keys = [];
    this.#indexEntries = 0;
    this.#nTouched = 0;
    this.#index.clear();
    if (this.#timer) this.#timer.clear();
    this.#timer = null;
    this.#timerAt = 0;
    if (hasListeners(this.emitter, 'success')) this.emitter.emit('success', { type: 'clear', key: '', container: this });
  }

  get size() {
    return this.#map.size;
  }

  has(key) {
    return this.#map.has(key);
  }

  keys() {
    return this.#map.keys();
  }

  /** `{ entries, bytes, hits, misses, evictions, expirations }` (bytes as estimated). */
  stats() {
    if (this.#nTouched) this.#index.touch(this.#io, this.#takeTouches());
    const s = this.#index.stats();
    return {
      entries: s.entries,
      bytes: s.bytes,
      hits: this.#hits,
      misses: this.#misses,
      evictions: s.evictions,
      expirations: s.expirations,
    };
  }

  /** Drops expired entries now (the timer does this on its own). */
  prune() {
    const io = this.#io || this.#ioBuffer();
    const dropped = this.#index.expire(io, this.#takeTouches(), Date.now());
    if (dropped) this.#drop(dropped);
  }

  #emit(type, key, value) {
    this.emitter.emit('success', { type, key, value, container: this });
  }

  #ioBuffer() {
    this.#io = new Uint32Array(IO_SIZE);
    return this.#io;
  }

  /** The number of touches recorded in `io`, which the next native call consumes. */
  #takeTouches() {
    const n = this.#nTouched;
    this.#nTouched = 0;
    return n;
  }

  /** Deletes the values of the `count` slots the index wrote into `io` (and any left over). */
  #drop(count) {
    const io = this.#io;
    let cascade = null;
    for (let n = count; n > 0; n = n === IO_SIZE ? this.#index.drain(io) : 0) {
      for (let i = 0; i < n; i++) cascade = this.#dropSlot(io[i], cascade);
    }
    if (cascade) for (const key of cascade) this.remove(key);
  }

  #dropSlot(slot, cascade) {
    const key = this.#keys[slot];
    if (key === undefined) return cascade;
    this.#keys[slot] = undefined;
    const entry = this.#map.get(key);
    this.#map.delete(key);
    if (key.startsWith(HSS)) this.#indexEntries--;
    // A dropped hit-source index can no longer invalidate its targets: drop them too.
    if ((key.startsWith(HSS) || key.startsWith(HSR)) && entry && entry.value && typeof entry.value === 'object') {
      (cascade = cascade || []).push(...Object.keys(entry.value));
    }
    return cascade;
  }


  #scheduleSweep(expireAt) {
    if (this.#timer && this.#timerAt <= expireAt) return;
    const at = Math.max(expireAt, Date.now() + this.#sweepInterval);
    if (this.#timer) {
      if (this.#timerAt <= at) return;
      this.#timer.clear();
    }
    this.#timerAt = at;
    this.#timer = after(at - Date.now(), () => this.#sweep()).unref();
  }

  #sweep() {
    this.#timer = null;
    this.#timerAt = 0;
    this.prune();
    const next = this.#index.nextExpiry();
    if (next > 0) this.#scheduleSweep(next);
  }
}

// Declared for the rate limiter, which then keeps its records in a native in-process store.
L1Cache.prototype[require('../capabilities').kProcessLocal] = true;

module.exports = { L1Cache, estimateSize, L1_DEFAULTS: DEFAULTS };
