'use strict';
// The native Redis client behind the adapter. Reads issued in the same tick go to Redis as one
// pipeline in one native call, and concurrent reads of the same key share one round trip.
const { RedisClient } = require('../native');

const CODE_PREFIX = /^(ERR_ALOVA_[A-Z_]+): /;

/** Async native calls carry their stable code as a message prefix; move it to `err.code`. */
function withCode(err) {
  const m = err && typeof err.message === 'string' && CODE_PREFIX.exec(err.message);
  if (m) {
    err.code = m[1];
    err.message = err.message.slice(m[0].length);
  }
  return err;
}

function rethrow(err) {
  throw withCode(err);
}

class NativeBackend {
  constructor(client) {
    this.client = client;
    this.isCluster = client.isCluster;
    this.pending = [];
    this.inflight = new Map();
    this.flush = this.flush.bind(this);
  }

  static create(options) {
    try {
      return new NativeBackend(RedisClient.create(options));
    } catch (err) {
      throw withCode(err);
    }
  }

  get(key) {
    let p = this.inflight.get(key);
    if (p) return p;
    let entry;
    p = new Promise((resolve, reject) => {
      entry = { key, resolve, reject, p: null };
    });
    entry.p = p;
    this.pending.push(entry);
    this.inflight.set(key, p);
    if (this.pending.length === 1) process.nextTick(this.flush);
    return p;
  }

  flush() {
    const batch = this.pending;
    this.pending = [];
    const done = (values) => {
      for (let i = 0; i < batch.length; i++) {
        this.forget(batch[i]);
        batch[i].resolve(values[i]);
      }
    };
    const fail = (err) => {
      withCode(err);
      for (const b of batch) {
        this.forget(b);
        b.reject(err);
      }
    };
    if (batch.length === 1) this.client.get(batch[0].key).then((v) => done([v]), fail);
    else this.client.getMany(batch.map((b) => b.key)).then(done, fail);
  }

  forget(entry) {
    if (this.inflight.get(entry.key) === entry.p) this.inflight.delete(entry.key);
  }

  set(key, value, px) {
    // A read issued after this write must not join a read that started before it.
    this.inflight.delete(key);
    return this.client.set(key, value, px).catch(rethrow);
  }

  del(key) {
    this.inflight.delete(key);
    return this.client.del(key).catch(rethrow);
  }

  clear(prefix) {
    this.inflight.clear();
    return this.client.clear(prefix).catch(rethrow);
  }

  eval(script, keys, args) {
    return this.client.eval(script, keys, args).then(JSON.parse, rethrow);
  }

  close() {
    this.client.close();
  }
}

module.exports = { NativeBackend, withCode };
