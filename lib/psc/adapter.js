'use strict';
// createPSCAdapter: a local cache adapter whose writes reach every other process.
//
// Two paths under one class:
// - a native link (NodeSyncAdapter, RedisSyncAdapter): the local copy is kept valid by a
//   native replica. Other processes' writes are applied by a native thread, which bumps a
//   counter that `get` compares with a plain memory read; only when it moved does `get`
//   drain the changes (one native call). Reads never cross a process boundary.
// - any other sync adapter (custom, Electron): alova's event protocol.
const { randomBytes } = require('node:crypto');
const { ExplicitCacheAdapter } = require('./explicit');
const { kLink } = require('./events');
const { fromNative } = require('../errors');

const isThenable = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function';

/** An alova cache entry `[data, expireTs]` whose time has passed. */
function expired(v) {
  return Array.isArray(v) && typeof v[1] === 'number' && v[1] > 0 && v[1] <= Date.now();
}

class PSCAdapter {
  constructor(cacheAdapter = new ExplicitCacheAdapter(), syncAdapter, options = {}) {
    if (!syncAdapter || typeof syncAdapter !== 'object') {
      throw new TypeError('[alova/psc] a sync adapter is required');
    }
    this.id = randomBytes(6).toString('base64url');
    this.cacheAdapter = cacheAdapter;
    this.syncAdapter = syncAdapter;
    this.options = options;
    const link = syncAdapter[kLink];
    if (link) {
      this._replica = link().attach(options.scope);
      this._counter = new Int32Array(this._replica.counter());
      this._seen = 0;
    } else {
      this._queue = Promise.resolve();
      syncAdapter.receive((event) => this._receive(event));
      this._send({ scope: options.scope, senderID: this.id, type: 'init', key: '' });
    }
  }

  get(key) {
    if (this._replica && this._counter[0] !== this._seen) {
      const pending = this._drain();
      if (pending) return pending.then(() => this._read(key));
    }
    return this._read(key);
  }

  async set(key, value) {
    if (this._replica) {
      const text = JSON.stringify(value);
      try {
        this._replica.set(key, text === undefined ? 'null' : text);
      } catch (err) {
        throw fromNative(err, 'psc');
      }
      return this.cacheAdapter.set(key, value);
    }
    await this.cacheAdapter.set(key, value);
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'set', key, value });
  }

  async remove(key) {
    if (this._replica) {
      this._replica.remove(key);
      return this.cacheAdapter.remove(key);
    }
    await this.cacheAdapter.remove(key);
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'remove', key });
  }

  async clear() {
    if (this._replica) {
      this._replica.clear();
      return this.cacheAdapter.clear();
    }
    await this.cacheAdapter.clear();
    return this._send({ scope: this.options.scope, senderID: this.id, type: 'clear', key: '' });
  }

  _read(key) {
    const v = this.cacheAdapter.get(key);
    if (isThenable(v)) return v.then((x) => (expired(x) ? undefined : x));
    return expired(v) ? undefined : v;
  }

  /** Applies the replica's changes to the local copy; a promise if the local adapter is async. */
  _drain() {
    this._seen = this._counter[0];
    const d = this._replica.drain();
    const cache = this.cacheAdapter;
    const waits = [];
    const track = (r) => isThenable(r) && waits.push(r);
    if (d[0]) track(cache.clear());
    for (let i = 1; i < d.length; i += 2) {
      const v = d[i + 1];
      track(v === null ? cache.remove(d[i]) : cache.set(d[i], JSON.parse(v)));
    }
    return waits.length ? Promise.all(waits) : undefined;
  }

  /** Sends events one after another in call order; resolves once handed to the adapter. */
  _send(event) {
    const sent = this._queue.then(() => this.syncAdapter.send(event));
    this._queue = sent.catch(() => {});
    return sent;
  }

  async _receive(event) {
    if (!event || event.senderID === this.id || event.scope !== this.options.scope) return;
    const cache = this.cacheAdapter;
    switch (event.type) {
      case 'set':
        return cache.set(event.key, event.value);
      case 'remove':
        return cache.remove(event.key);
      case 'clear':
        return cache.clear();
      case 'init': {
        if (!event.value) throw new Error('[alova/psc] init event without a snapshot');
        const entries = typeof event.value === 'string' ? JSON.parse(event.value) : event.value;
        await cache.clear();
        for (const key of Object.keys(entries)) await cache.set(key, entries[key]);
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function createPSCAdapter(syncAdapter, cacheAdapter = new ExplicitCacheAdapter(), options = {}) {
  return new PSCAdapter(cacheAdapter, syncAdapter, options);
}

/** Typing helper: returns the adapter itself. */
function createSyncAdapter(syncAdapter) {
  return syncAdapter;
}

module.exports = { PSCAdapter, createPSCAdapter, createSyncAdapter };
