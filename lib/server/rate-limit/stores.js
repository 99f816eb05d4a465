'use strict';
// Where limiter records `[consumed, expireMs]` (-1 = never expires) live. Each store offers
//   consume(key, points, durationMs, limit, blockMs, now) -> [consumed, expire]
//     (add points; on the first excess over `limit` with blockMs > 0, extend to now+blockMs)
//   upsert(key, points, durationMs, force, now)        -> [consumed, expire]
//   get(key, now)                                      -> [consumed, expire] | null
//   remove(key)
// with the results of the native store returned synchronously, the others as promises.
// consume is one atomic step in every store.
const native = require('../../native');
const { runsAtomicScripts, serialize } = require('../atomic-store');
const { kProcessLocal } = require('../../capabilities');
const { redisKey } = require('../redis-keys');
const { nextRecord, RECORD_SCRIPT } = require('./record');

const encoder = new TextEncoder();
// the call buffer's layout, defined in src/constants.rs
const { RATE_LIMIT_SLOTS: SLOTS, RATE_LIMIT_HEADER: HEADER } = native;

/**
 * Records in native memory, one store per storage adapter object. Synchronous: each call
 * passes one buffer holding the numbers and the key's UTF-8 bytes (see src/ratelimit.rs).
 */
class NativeStore {
  constructor() {
    this.id = native.rateLimitStoreCreate();
    this.#alloc(256);
    NativeStore.registry.register(this, this.id);
  }

  #alloc(keyBytes) {
    const buf = new ArrayBuffer(HEADER + keyBytes);
    this.io = new Uint8Array(buf);
    this.slots = new Float64Array(buf, 0, SLOTS);
    this.keyBytes = new Uint8Array(buf, HEADER);
  }

  #key(key) {
    let r = encoder.encodeInto(key, this.keyBytes);
    if (r.read < key.length) {
      this.#alloc(key.length * 3);
      r = encoder.encodeInto(key, this.keyBytes);
    }
    this.slots[5] = r.written;
  }

  consume(key, points, durationMs, limit, blockMs, now) {
    this.#key(key); // may replace the buffer: take the views after it
    const s = this.slots;
    s[0] = points;
    s[1] = durationMs;
    s[2] = limit;
    s[3] = blockMs;
    s[4] = now;
    native.rateLimitConsume(this.id, this.io);
    return [s[0], s[1]];
  }

  upsert(key, points, durationMs, force, now) {
    this.#key(key); // may replace the buffer: take the views after it
    const s = this.slots;
    s[0] = points;
    s[1] = durationMs;
    s[3] = force ? 1 : 0;
    s[4] = now;
    native.rateLimitUpsert(this.id, this.io);
    return [s[0], s[1]];
  }

  get(key, now) {
    this.#key(key); // may replace the buffer: take the views after it
    const s = this.slots;
    s[4] = now;
    return native.rateLimitGet(this.id, this.io) ? [s[0], s[1]] : null;
  }

  remove(key) {
    this.#key(key);
    native.rateLimitDelete(this.id, this.io);
  }
}
NativeStore.registry = new FinalizationRegistry((id) => native.rateLimitStoreDrop(id));

/**
 * Records in Redis through our RedisStorageAdapter. Steps issued in the same tick go to Redis
 * as one script run (one round trip and one crossing into native code for all of them); each
 * step stays atomic and they run in call order. On a cluster, keys of one script must share a
 * slot, so there each step is its own script run.
 */
const MAX_BATCH = 500;

class RedisStore {
  constructor(storage) {
    this.storage = storage;
    this.pending = [];
  }

  #run(key, points, durationMs, limit, blockMs, force) {
    return new Promise((resolve, reject) => {
      this.pending.push({ key: redisKey(this.storage, key), args: [points, durationMs, limit, blockMs, force ? 1 : 0], resolve, reject });
      if (this.pending.length === 1) process.nextTick(() => this.#flush());
    });
  }

  #flush() {
    const steps = this.pending;
    this.pending = [];
    const size = this.storage.isCluster ? 1 : MAX_BATCH;
    const batches = [];
    for (let i = 0; i < steps.length; i += size) batches.push(steps.slice(i, i + size));
    for (const batch of batches) {
      const args = [Date.now()];
      for (const s of batch) args.push(...s.args);
      this.storage.eval(RECORD_SCRIPT, batch.map((s) => s.key), args).then(
        (out) => batch.forEach((s, i) => s.resolve([Number(out[2 * i]), Number(out[2 * i + 1])])),
        (err) => batch.forEach((s) => s.reject(err)),
      );
    }
  }

  consume(key, points, durationMs, limit, blockMs) {
    return this.#run(key, points, durationMs, limit, blockMs, false);
  }

  upsert(key, points, durationMs, force) {
    return this.#run(key, points, durationMs, 0, 0, force);
  }

  async get(key, now) {
    return liveRecord(await this.storage.get(key), now);
  }

  remove(key) {
    return this.storage.remove(key);
  }
}

/** Records in any alova storage adapter: read-modify-write under a per-key queue. */
class AdapterStore {
  constructor(storage) {
    this.storage = storage;
  }

  consume(key, points, durationMs, limit, blockMs) {
    return this.#step(key, points, durationMs, limit, blockMs, false);
  }

  upsert(key, points, durationMs, force) {
    return this.#step(key, points, durationMs, 0, 0, force);
  }

  // `now` is taken inside the queued step: it may run well after the call.
  #step(key, points, durationMs, limit, blockMs, force) {
    return serialize(this.storage, key, async () => {
      const old = force ? undefined : await this.storage.get(key);
      const rec = nextRecord(old, points, durationMs, limit, blockMs, force, Date.now());
      await this.storage.set(key, rec);
      return rec;
    });
  }

  async get(key, now) {
    return liveRecord(await this.storage.get(key), now);
  }

  remove(key) {
    return this.storage.remove(key);
  }
}

function liveRecord(rec, now) {
  if (!rec) return null;
  return rec[1] > 0 && rec[1] <= now ? null : rec;
}

const stores = new WeakMap();

/** The store for a storage adapter (one per adapter object, so limiters sharing it share counts). */
function storeFor(storage) {
  let store = stores.get(storage);
  if (!store) {
    if (storage[kProcessLocal] === true) store = new NativeStore();
    else if (runsAtomicScripts(storage)) store = new RedisStore(storage);
    else store = new AdapterStore(storage);
    stores.set(storage, store);
  }
  return store;
}

module.exports = { storeFor, NativeStore, RedisStore, AdapterStore };
