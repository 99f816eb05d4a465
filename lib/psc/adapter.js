'use strict';
// createPSCAdapter: a local cache adapter whose writes reach every other process.
//
// One class per way the writes travel, both PSCAdapters (alova's class name):
// - ReplicaPSCAdapter, for a native link (NodeSyncAdapter, RedisSyncAdapter): the local copy
//   is kept valid by a native replica. Other processes' writes are applied by a native thread,
//   which bumps a counter that `get` compares with a plain memory read; only when it moved
//   does `get` drain the changes (one native call). Reads never cross a process boundary.
// - EventPSCAdapter, for any other sync adapter (custom, Electron): alova's event protocol.
const { randomBytes } = require('node:crypto');
const { ExplicitCacheAdapter, kLoadFrom, kApplyKeyChanges, kApplyChangeText, kHeldEntries } = require('./explicit');
const { kLink, kOnConnect } = require('./events');
const { AlovaError, fromNative, codes } = require('../errors');
const native = require('../native');
const { isExpired, expiryOf } = require('../core/expiry');
const { register } = require('../metrics/registry');
const { channel } = require('node:diagnostics_channel');

// Extension: one message per batch of other processes' changes applied to this copy.
const syncChannel = channel('alova:psc:sync');

/**
 * When `value`'s JSON expires, read from the value (cheaper than from its JSON), or NaN (read
 * it from the JSON) where the JSON may say otherwise: a `toJSON` on the value, or an object or
 * BigInt in its expiry slot (a Number object, say).
 */
function expiryOfJson(value) {
  if (value === null || typeof value !== 'object') return 0;
  if (value.toJSON !== undefined) return NaN;
  const slot = Array.isArray(value) ? value[1] : undefined;
  return (slot !== null && typeof slot === 'object') || typeof slot === 'bigint' ? NaN : expiryOf(value);
}

// Node 18 has no `isWellFormed`: a `u` regex matches a lone surrogate as a code point.
const isWellFormed = String.prototype.isWellFormed ? (s) => s.isWellFormed() : (s) => !/\p{Cs}/u.test(s);

/**
 * Refuses a key the shared cache cannot hold as given: other processes receive keys as
 * UTF-8, where a lone surrogate becomes U+FFFD (they would never find the writer's key).
 */
function checkKey(key) {
  if (typeof key !== 'string') {
    throw new AlovaError(`shared cache key must be a string, got ${key === null ? 'null' : typeof key}`, 'psc', codes.INVALID_ARG);
  }
  if (!isWellFormed(key)) {
    throw new AlovaError('shared cache key holds a lone surrogate (other processes could not find it)', 'psc', codes.INVALID_ARG);
  }
}

const isThenable = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function';


/** Runs `steps` one after another, waiting only for those that return a promise. */
function inOrder(steps, from = 0) {
  for (let i = from; i < steps.length; i++) {
    const r = steps[i]();
    if (isThenable(r)) return r.then(() => inOrder(steps, i + 1));
  }
  return undefined;
}


const NO_KEYS = [];
/** Splits one part of a key drain (empty keys always come as JSON: an empty part is none). */
const keysIn = (text, from, to) => (to > from ? text.slice(from, to).split('\0') : NO_KEYS);

/**
 * Reads a key drain other than the plain changed-keys one (`'2'`, applied by the local copy
 * as it is read: see `kApplyChangeText`) as `[full, changed, removed, held, texts]`: a full
 * one is `'1'`, changed keys joined by NUL, U+0001, removed keys [, U+0001, held keys]; any
 * drain may be JSON instead (`texts` last when not full).
 */
function parseKeys(text) {
  if (text[0] === '[') {
    const [full, set, del, held, texts = null] = JSON.parse(text);
    return [full === 1, set, del, held, texts];
  }
  const sep = text.indexOf('\u0001');
  let end = text.indexOf('\u0001', sep + 1);
  if (end < 0) end = text.length;
  return [text[0] === '1', keysIn(text, 1, sep), keysIn(text, sep + 1, end), keysIn(text, end + 1, text.length), null];
}

const NO_RING = new Int32Array(1);

/**
 * The shared log's key slot of `key` (see the log's `key_slot`, the same hash: 32-bit FNV-1a
 * over the UTF-16 code units, top 9 bits of 512 slots).
 */
function keySlot(key) {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 23;
}

// Past this many bytes of log since the last drain, a key slot's position may have wrapped
// round: read the log.
const SLOTS_TRUSTED = 1 << 30;

// One view per shared-log mapping (V8 allows one external ArrayBuffer per memory address):
// `counter`, the log's commit counter, and `slots`, its key slots (null where the writers
// keep none).
const ringViews = new Map();
function ringView(replica) {
  const key = replica.ringKey;
  if (!key) return null;
  let view = ringViews.get(key)?.deref();
  if (!view) {
    const slots = replica.ringSlots();
    view = { counter: new Int32Array(replica.ringCounter()), slots: slots && new Int32Array(slots) };
    ringViews.set(key, new WeakRef(view));
  }
  return view;
}

/** What both modes share: alova's constructor and fields, and reads that skip expired entries. */
class PSCAdapter {
  constructor(cacheAdapter = new ExplicitCacheAdapter(), syncAdapter, options = {}) {
    // `new PSCAdapter(...)`, as with alova: the mode follows the sync adapter.
    if (new.target === PSCAdapter) return createPSCAdapter(syncAdapter, cacheAdapter, options);
    this.id = randomBytes(6).toString('base64url');
    this.cacheAdapter = cacheAdapter;
    this.syncAdapter = syncAdapter;
    this.options = options;
    // Read by stats() only.
    this.counts = { sets: 0, removes: 0, received: 0, reloads: 0 };
    register('psc', this);
  }

  get(key) {
    return this._read(key);
  }

  /** `{ entries?, sets, removes, received, reloads }`: this copy's counters since it was made. */
  stats() {
    return { entries: this._entries(), ...this.counts };
  }

  _entries() {
    const cache = this.cacheAdapter;
    return typeof cache.getCache === 'function' ? Object.keys(cache.getCache()).length : undefined;
  }

  /**
   * Counts (and reports) a batch of other processes' changes; `full`: the whole copy was
   * replaced (the snapshot after (re)connecting, or another process's clear); `unnamed`:
   * entries of a full change not named in `setKeys`.
   */
  _received(full, setKeys, removedKeys, unnamed = 0) {
    const c = this.counts;
    c.received += setKeys.length + removedKeys.length + unnamed;
    if (full) c.reloads++;
    if (syncChannel.hasSubscribers) syncChannel.publish({ scope: this.options.scope, full, set: setKeys, removed: removedKeys });
  }

  _read(key) {
    const v = this.cacheAdapter.get(key);
    if (isThenable(v)) return v.then((x) => (isExpired(x) ? undefined : x));
    return isExpired(v) ? undefined : v;
  }
}

/** The local copy kept valid by a native replica of the shared cache. */
class ReplicaPSCAdapter extends PSCAdapter {
  constructor(cacheAdapter, syncAdapter, options, link) {
    const { scope } = options;
    if (scope != null && typeof scope !== 'string') {
      throw new AlovaError('`scope` must be a string', 'psc', codes.INVALID_ARG);
    }
    super(cacheAdapter, syncAdapter, options);
    this._replica = link.attach(scope);
    // The calls made after a change take the replica's id (cheaper than its methods).
    this._id = this._replica.id;
    this._counter = new Int32Array(this._replica.counter());
    this._seen = 0;
    // The shared log's commit counter: other workers' writes, visible without a wake-up
    // (a counter that never moves while there is no log), and its key slots (null: every
    // move of the counter is read).
    this._ring = NO_RING;
    this._slots = null;
    this._log = null; // keeps the cached views of the log alive (see ringView)
    this._ringSeen = 0;
    this._ringGen = -1;
    // Values are taken from the replica on first use (see ExplicitCacheAdapter): the parsed
    // value is then this process's only copy. A restarted hub gets them back from here.
    this._lazy = cacheAdapter instanceof ExplicitCacheAdapter;
    if (this._lazy) {
      const r = this._replica;
      const id = this._id;
      cacheAdapter[kLoadFrom](
        (key) => native.pscTake(id, key),
        this._counter,
        () => r.listUnlisted(),
        () => this._drainAny(),
      );
      this._onConnect = () => this._offerHeld();
      syncAdapter[kOnConnect]?.(this._onConnect);
    }
  }

  /**
   * An unchanged key costs two counter reads and a Map lookup, and while other workers write
   * to the shared log, a look at the key's slot there: the log is read only when that key may
   * have changed. Expired entries need no clock read here: the replica drops them when they
   * expire (the transport thread's sweep), which moves the counter like any other change, and
   * a value entering the copy is checked once.
   */
  get(key) {
    if (this._counter[0] !== this._seen || (this._ring[0] !== this._ringSeen && this._inLog(key))) {
      const pending = this._drain();
      if (pending) return pending.then(() => this._read(key));
    }
    return this._lazy ? this.cacheAdapter.get(key) : this._read(key);
  }

  /**
   * Whether the shared log may hold a write to `key` this copy has not read: its slot moved
   * since the last drain. (Writes the connection thread read from the log on the reader's
   * behalf are found the same way: they move no counter.)
   */
  _inLog(key) {
    const slots = this._slots;
    if (slots === null || typeof key !== 'string' || ((this._ring[0] - this._ringSeen) >>> 0) >= SLOTS_TRUSTED) return true;
    return ((slots[keySlot(key)] - this._ringSeen) | 0) > 0;
  }

  async set(key, value) {
    checkKey(key);
    const text = JSON.stringify(value);
    try {
      // The local copy keeps the value; the replica only sends its JSON.
      const r = this._replica;
      if (this._lazy) native.pscSetHeld(this._id, key, text === undefined ? 'null' : text, expiryOfJson(value));
      else r.set(key, text === undefined ? 'null' : text);
    } catch (err) {
      throw fromNative(err, 'psc');
    }
    this.counts.sets++;
    // Written already expired: nothing stays under the key (reads do not check expiry).
    return isExpired(value) ? this.cacheAdapter.remove(key) : this.cacheAdapter.set(key, value);
  }

  async remove(key) {
    checkKey(key);
    this._replica.remove(key);
    this.counts.removes++;
    return this.cacheAdapter.remove(key);
  }

  async clear() {
    this._replica.clear();
    return this.cacheAdapter.clear();
  }

  _entries() {
    return this._replica.size;
  }

  /** Hands the JSON of the values this copy holds to a hub that restarted without them. */
  _offerHeld() {
    if (!this._replica.wantsOffer) return;
    const [keys, texts] = this.cacheAdapter[kHeldEntries]();
    this._replica.offerHeld(keys, texts);
  }

  stats() {
    return { ...super.stats(), bytes: this._replica.bytes };
  }

  /** Drains if anything changed, whichever key. */
  _drainAny() {
    return this._counter[0] !== this._seen || this._ring[0] !== this._ringSeen ? this._drain() : undefined;
  }

  /** Applies the replica's changes to the local copy; a promise if the local adapter is async. */
  _drain() {
    // A new log (or none) always moves the replica's counter: only then is the native getter asked.
    if (this._counter[0] !== this._seen) {
      this._seen = this._counter[0];
      const gen = this._replica.ringGen;
      if (gen !== this._ringGen) {
        this._ringGen = gen;
        const view = ringView(this._replica);
        this._log = view;
        this._ring = view?.counter ?? NO_RING;
        this._slots = view?.slots ?? null;
      }
    }
    this._ringSeen = this._ring[0];
    const cache = this.cacheAdapter;
    if (this._lazy) {
      const text = native.pscDrainKeys(this._id);
      if (text[0] === '2') {
        // The common drain, applied as it is read; keys are listed only for a listener.
        const named = syncChannel.hasSubscribers ? [[], []] : null;
        const n = cache[kApplyChangeText](text, named);
        if (named) this._received(false, named[0], named[1]);
        else this._received(false, NO_KEYS, NO_KEYS, n);
        return undefined;
      }
      let [full, set, del, held, texts] = parseKeys(text);
      // A full change names only the keys this copy holds; the others are taken on a miss,
      // unless someone listens for the keys.
      if (full && this._counter[1] !== 0 && syncChannel.hasSubscribers) set = this._replica.listUnlisted();
      cache[kApplyKeyChanges](full, set, del, held, texts);
      this._received(full, set, del, full ? this._counter[1] : 0);
      return undefined;
    }
    const { full, set, del } = JSON.parse(this._replica.drain());
    this._received(full, Object.keys(set), del);
    const waits = [];
    const track = (r) => isThenable(r) && waits.push(r);
    if (full) track(cache.clear());
    for (const key of Object.keys(set)) track(cache.set(key, set[key]));
    for (const key of del) track(cache.remove(key));
    return waits.length ? Promise.all(waits) : undefined;
  }
}

/** alova's event protocol over any sync adapter: writes are sent, others' writes received. */
class EventPSCAdapter extends PSCAdapter {
  constructor(cacheAdapter, syncAdapter, options) {
    super(cacheAdapter, syncAdapter, options);
    // The tail of the sends still in progress; null when the transport is idle.
    this._busy = null;
    // Own writes made after `init` was sent and before its snapshot came back: the
    // snapshot predates them, so they are applied again on top of it.
    this._early = [];
    syncAdapter.receive((event) => this._receive(event));
    // Sent now, as alova does: the hub must see `init` before any write made after this.
    this._send({ scope: options.scope, senderID: this.id, type: 'init', key: '' });
  }

  async set(key, value) {
    this.counts.sets++;
    this._early?.push(() => this.cacheAdapter.set(key, value));
    await this.cacheAdapter.set(key, value);
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'set', key, value });
  }

  async remove(key) {
    this.counts.removes++;
    this._early?.push(() => this.cacheAdapter.remove(key));
    await this.cacheAdapter.remove(key);
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'remove', key });
  }

  async clear() {
    this._early?.push(() => this.cacheAdapter.clear());
    await this.cacheAdapter.clear();
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'clear', key: '' });
  }

  /**
   * Sends events one after another in call order; resolves once handed to the adapter. An
   * event is handed over synchronously when no earlier send is still pending.
   */
  _send(event) {
    const run = () => this.syncAdapter.send(event);
    let sent;
    if (this._busy === null) {
      try {
        sent = run();
      } catch (err) {
        return Promise.reject(err);
      }
      if (!isThenable(sent)) return Promise.resolve(sent);
      sent = Promise.resolve(sent);
    } else {
      sent = this._busy.then(run);
    }
    const tail = sent.then(
      () => this._idle(tail),
      () => this._idle(tail),
    );
    this._busy = tail;
    return sent;
  }

  _idle(tail) {
    if (this._busy === tail) this._busy = null;
  }

  async _receive(event) {
    if (!event || event.senderID === this.id || event.scope !== this.options.scope) return;
    const cache = this.cacheAdapter;
    switch (event.type) {
      case 'set':
        this._received(false, [event.key], []);
        return cache.set(event.key, event.value);
      case 'remove':
        this._received(false, [], [event.key]);
        return cache.remove(event.key);
      case 'clear':
        this._received(true, [], []);
        return cache.clear();
      case 'init': {
        if (!event.value) throw new Error('[alova/psc] init event without a snapshot');
        const entries = typeof event.value === 'string' ? JSON.parse(event.value) : event.value;
        this._received(true, Object.keys(entries), []);
        const own = this._early ?? [];
        this._early = null;
        // Synchronous with a synchronous local cache: a write made right after cannot land
        // between the snapshot's entries.
        const steps = [() => cache.clear()];
        for (const key of Object.keys(entries)) steps.push(() => cache.set(key, entries[key]));
        return inOrder(steps.concat(own));
      }
      default:
        return undefined;
    }
  }
}

function createPSCAdapter(syncAdapter, cacheAdapter = new ExplicitCacheAdapter(), options = {}) {
  if (!syncAdapter || typeof syncAdapter !== 'object') {
    throw new AlovaError('a sync adapter is required', 'psc', codes.INVALID_ARG);
  }
  const link = syncAdapter[kLink];
  if (link) return new ReplicaPSCAdapter(cacheAdapter, syncAdapter, options, link());
  return new EventPSCAdapter(cacheAdapter, syncAdapter, options);
}

/** Typing helper: returns the adapter itself. */
function createSyncAdapter(syncAdapter) {
  return syncAdapter;
}

module.exports = { PSCAdapter, createPSCAdapter, createSyncAdapter };
