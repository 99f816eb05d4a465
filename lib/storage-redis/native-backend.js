'use strict';
// The native Redis client behind the adapter. Reads issued in the same tick go to Redis as one
// pipeline in one native call, and concurrent reads of the same key share one round trip.
const { RedisClient } = require('../native');

const { fromFailure, fromNative } = require('../errors');

// Pipelines sent with `submit`, by id, until `take` hands back their outcome. The map holds
// their backends while they are in flight.
const waiting = new Map();
let nextId = 0;

/**
 * Creates a native client; when pipelines are answered it calls back and they are collected
 * with one `take`. The callback holds the client weakly, so a dropped client can be collected.
 */
function createClient(options) {
  let ref = null;
  let client;
  try {
    client = RedisClient.create(options, onAnswers);
  } catch (err) {
    throw fromNative(err, 'storage:redis');
  }
  ref = new WeakRef(client);
  return client;

  function onAnswers() {
    const c = ref && ref.deref();
    if (!c) return;
    for (const { id, failure, replies } of c.take()) {
      const done = waiting.get(id);
      if (!done) continue;
      waiting.delete(id);
      done(failure, replies);
    }
  }
}

class NativeBackend {
  constructor(client) {
    this.client = client;
    this.isCluster = client.isCluster;
    /** commands waiting for the next pipeline: { args, resolve, reject, key?, p? } */
    this.queue = [];
    this.busy = false;
    this.scheduled = false;
    /** key → pending read of it, shared by concurrent readers */
    this.inflight = new Map();
    this.flush = this.flush.bind(this);
  }

  static create(options) {
    return new NativeBackend(createClient(options));
  }

  // Commands go out in call order as one pipeline per tick, with one pipeline in flight at a
  // time: a read sees every earlier write of this adapter, and under load each native call
  // carries many commands.
  push(entry) {
    const p = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.queue.push(entry);
    if (!this.busy && !this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
    return p;
  }

  flush() {
    this.scheduled = false;
    if (this.busy || !this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.busy = true;
    const settle = () => {
      this.busy = false;
      for (const e of batch) if (e.key !== undefined && this.inflight.get(e.key) === e.p) this.inflight.delete(e.key);
      if (this.queue.length) this.flush();
    };
    const id = (nextId = (nextId + 1) >>> 0);
    waiting.set(id, (failure, replies) => {
      settle();
      if (!failure) {
        for (let i = 0; i < batch.length; i++) batch[i].resolve(replies[i]);
      } else {
        const err = fromFailure(failure, 'storage:redis');
        for (const e of batch) e.reject(err);
      }
    });
    try {
      this.client.submit(id, batch.map((e) => e.args));
    } catch (err) {
      // Runs from process.nextTick: a throw here would be an uncaught exception.
      waiting.delete(id);
      settle();
      for (const e of batch) e.reject(err);
    }
  }

  get(key) {
    let p = this.inflight.get(key);
    if (p) return p;
    const entry = { args: ['GET', key], key, p: null };
    p = entry.p = this.push(entry);
    this.inflight.set(key, p);
    return p;
  }

  set(key, value, px) {
    // A read issued after this write must not join a read issued before it.
    this.inflight.delete(key);
    const args = px === undefined ? ['SET', key, value] : ['SET', key, value, 'PX', String(Math.max(1, Math.ceil(px)))];
    return this.push({ args });
  }

  del(key) {
    this.inflight.delete(key);
    return this.push({ args: ['DEL', key] });
  }

  clear(prefix, spaces) {
    this.inflight.clear();
    return this.client.clear(prefix, spaces);
  }

  eval(script, keys, args) {
    return this.client.eval(script, keys, args).then(JSON.parse);
  }

  close() {
    this.client.close();
  }
}

module.exports = { NativeBackend, createClient };
