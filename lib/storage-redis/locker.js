'use strict';
// RedisLocker: a mutual-exclusion lock per resource name, safe against the usual ways a cache
// lock goes wrong. Each lock gets a random token and only its owner can release it (Lua
// compare-and-delete); it expires after `ttl` ms if its holder dies, and is extended in the
// background while held, so a slow holder never loses it silently. The Redis key is the
// resource name itself, as Redlock uses, so processes still on `@alova/storage-redis` and ones on
// this package exclude each other.
const crypto = require('node:crypto');
const { AlovaError, codes } = require('../errors');
const { after, sleep } = require('../timers');

// All or nothing: every key is free, then every key is set.
const ACQUIRE = `for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then return 0 end
end
for _, k in ipairs(KEYS) do redis.call('SET', k, ARGV[1], 'PX', ARGV[2]) end
return 1`;
const RELEASE = `local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k); n = n + 1 end
end
return n`;
const EXTEND = `for _, k in ipairs(KEYS) do
  if redis.call('GET', k) ~= ARGV[1] then return 0 end
end
for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, ARGV[2]) end
return 1`;

// Redlock's defaults.
const DEFAULTS = { retryCount: 10, retryDelay: 200, retryJitter: 200 };

const toArray = (res) => (Array.isArray(res) ? res : [res]);
const lockError = (message, code) => new AlovaError(message, 'storage:redis', code);

class RedisLocker {
  /**
   * @param backend the adapter's Redis backend (`eval`, `isCluster`)
   * @param {{options?, ttl?: number}} config `options`: Redlock-style retry settings
   */
  constructor(backend, { options, ttl = 5000 } = {}) {
    if (!backend) throw lockError('No redis client available');
    this.backend = backend;
    this.options = options;
    this.ttl = ttl;
    this.retry = { ...DEFAULTS, ...options };
    /** resource name → held lock ({ keys, token, timer }) */
    this.locks = new Map();
  }

  async lock(resource) {
    const keys = toArray(resource).map(String);
    const ttl = this.ttl;
    if (!(ttl > 0)) throw lockError(`Lock ttl must be > 0, got ${ttl}`, codes.INVALID_ARG);
    const token = crypto.randomBytes(16).toString('hex');
    const { retryCount, retryDelay, retryJitter } = this.retry;
    for (let attempt = 0; retryCount < 0 || attempt <= retryCount; attempt++) {
      if (attempt > 0) await sleep(retryDelay + Math.random() * retryJitter);
      if (await this.tryAcquire(keys, token, ttl)) {
        const held = { keys, token, timer: null, lost: false };
        this.keepAlive(held, ttl);
        for (const k of keys) this.locks.set(k, held);
        return;
      }
    }
    throw lockError(`Failed to acquire lock for ${JSON.stringify(keys)} after ${retryCount + 1} attempts`, codes.LOCKED);
  }

  async tryAcquire(keys, token, ttl) {
    if (!keys.length) return true;
    if (!this.backend.isCluster) return (await this.backend.eval(ACQUIRE, keys, [token, ttl])) === 1;
    // Keys of one script must share a cluster slot: take them one by one and give back what
    // was taken when one is busy.
    const taken = [];
    for (const k of keys) {
      if ((await this.backend.eval(ACQUIRE, [k], [token, ttl])) !== 1) {
        await Promise.all(taken.map((t) => this.backend.eval(RELEASE, [t], [token])));
        return false;
      }
      taken.push(k);
    }
    return true;
  }

  /** Extends the lock every third of its ttl until it is released. */
  keepAlive(held, ttl) {
    const extend = async () => {
      try {
        const ok = await this.evalEach(EXTEND, held.keys, [held.token, ttl]);
        if (!ok) held.lost = true;
      } catch {
        // Redis unreachable: try again at the next tick; the key keeps its ttl meanwhile.
      }
      if (!held.lost && held.timer) schedule();
    };
    const schedule = () => {
      held.timer = after(Math.max(10, Math.floor(ttl / 3)), extend).unref();
    };
    schedule();
  }

  async evalEach(script, keys, args) {
    if (!this.backend.isCluster) return this.backend.eval(script, keys, args);
    let n = 0;
    for (const k of keys) n += await this.backend.eval(script, [k], args);
    return n;
  }

  async unlock(resource) {
    for (const k of toArray(resource).map(String)) {
      const held = this.locks.get(k);
      if (!held) continue;
      for (const key of held.keys) this.locks.delete(key);
      if (held.timer) held.timer.clear();
      held.timer = null;
      const released = await this.evalEach(RELEASE, held.keys, [held.token]);
      if (held.lost || released < held.keys.length) {
        throw lockError(`Lock for ${JSON.stringify(held.keys)} expired before it was released`, codes.LOCK_LOST);
      }
    }
  }
}

module.exports = { RedisLocker };
