'use strict';
// RedisStorageAdapter: alova's L2 cache on Redis through a native client (or a JS client the
// user passes). Values are stored as JSON text; alova's `[data, expireTs]` entries get a
// matching PX expiry. Beyond @alova/storage-redis: `clear()` works, every operation has a
// time limit, a circuit breaker stops calling a dead Redis, and a failed read is a cache miss
// (`failOpen`) so requests go to the network instead of failing.
const { AlovaError } = require('../errors');
const { CircuitBreaker } = require('./breaker');
const { NativeBackend } = require('./native-backend');
const { JsBackend, isJsClient } = require('./js-backend');
const { RedisLocker } = require('./locker');
const { RedisClient } = require('../native');
const { checkLogger } = require('../core/logger');

const AREA = 'storage:redis';

/** ioredis-style options → the native client's options. */
function nativeOptions(o, commandTimeout) {
  if (o.path) throw new AlovaError('Unix socket paths are not supported; use host and port', AREA, 'ERR_ALOVA_INVALID_ARG');
  if (o.tls) throw new AlovaError('TLS connections are not supported yet', AREA, 'ERR_ALOVA_INVALID_ARG');
  return {
    url: o.url,
    host: o.host,
    port: o.port === undefined ? undefined : Number(o.port),
    username: o.username,
    password: o.password,
    db: o.db,
    commandTimeout,
    connectTimeout: o.connectTimeout,
  };
}

/** ioredis ClusterNode (`port`, `'host:port'`, `{host, port}`) → `host:port`. */
function nodeAddress(n) {
  if (typeof n === 'number') return `127.0.0.1:${n}`;
  if (typeof n === 'string') return /^\d+$/.test(n) ? `127.0.0.1:${n}` : n;
  return `${n.host || '127.0.0.1'}:${n.port || 6379}`;
}

/** Whether an error means Redis could not be reached (counts towards the breaker). */
function isUnavailable(err) {
  const code = err && err.code;
  if (code === 'ERR_ALOVA_TIMEOUT') return true;
  if (code === 'ERR_ALOVA_REDIS') return /^Redis (unreachable|is unavailable)/.test(err.message);
  // A JS client: everything but a reply from the server.
  return !(err && (err.name === 'ReplyError' || err.name === 'ErrorReply'));
}

class RedisStorageAdapter {
  constructor(config = {}) {
    const {
      keyPrefix = 'alova:',
      redlockOptions,
      redlockTTL = 5000,
      // Options of this package.
      commandTimeout = 1000,
      failOpen = true,
      circuitBreaker = {},
      onError,
      logger,
      client,
      nodes,
      options,
      ...redisOptions
    } = config;
    delete redisOptions.redlockFilter;
    this.name = 'adapterRedis';
    this.keyPrefix = keyPrefix;
    this.failOpen = failOpen;
    this.onError = typeof onError === 'function' ? onError : null;
    this.logger = checkLogger(logger, AREA);
    this.breaker = circuitBreaker === false ? null : new CircuitBreaker(circuitBreaker);
    this.redlock = { options: redlockOptions, ttl: redlockTTL };
    this.ownsClient = !client;
    if (client) {
      this.backend = client instanceof RedisClient ? new NativeBackend(client) : isJsClient(client) ? new JsBackend(client, { commandTimeout }) : null;
      if (!this.backend) {
        throw new AlovaError('`client` must be a RedisClient, an ioredis Redis/Cluster or a node-redis v4 client', AREA, 'ERR_ALOVA_INVALID_ARG');
      }
      this.client = client;
    } else if ('nodes' in config) {
      if (!Array.isArray(nodes) || !nodes.length) throw new AlovaError('`nodes` must be a non-empty array', AREA, 'ERR_ALOVA_INVALID_ARG');
      const ro = (options && options.redisOptions) || {};
      this.backend = NativeBackend.create({
        nodes: nodes.map(nodeAddress),
        username: ro.username,
        password: ro.password,
        commandTimeout,
        connectTimeout: ro.connectTimeout,
      });
      this.client = this.backend.client;
    } else {
      this.backend = NativeBackend.create(nativeOptions(redisOptions, commandTimeout));
      this.client = this.backend.client;
    }
  }

  get isCluster() {
    return this.backend.isCluster;
  }

  /** Circuit breaker state: `closed` (normal), `open` (failing fast) or `half-open` (probing). */
  get health() {
    const b = this.breaker;
    return b ? { state: b.state, failures: b.failures } : { state: 'closed', failures: 0 };
  }

  /** Runs `fn` against Redis unless the breaker is open, and tells the breaker how it went. */
  guarded(fn) {
    const b = this.breaker;
    if (b && !b.allow()) {
      return Promise.reject(new AlovaError(`Redis is unavailable (${b.failures} failed operations); calls fail fast until a probe succeeds`, AREA, 'ERR_ALOVA_REDIS'));
    }
    let p;
    try {
      p = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!b) return p;
    return p.then(
      (v) => {
        b.success();
        return v;
      },
      (err) => {
        if (isUnavailable(err)) b.failure();
        else b.success();
        err.name = `[alova/${AREA}]`;
        throw err;
      },
    );
  }

  async set(key, value) {
    const rkey = this.keyPrefix + key;
    const json = JSON.stringify(value);
    if (json === undefined) throw new AlovaError(`value of ${key} cannot be stored as JSON`, AREA, 'ERR_ALOVA_INVALID_ARG');
    const ts = Array.isArray(value) ? value[1] : undefined;
    if (typeof ts === 'number' && !Number.isNaN(ts)) {
      const px = ts - Date.now();
      if (px <= 0) return;
      return this.guarded(() => this.backend.set(rkey, json, px));
    }
    return this.guarded(() => this.backend.set(rkey, json));
  }

  async get(key) {
    let raw;
    try {
      raw = await this.guarded(() => this.backend.get(this.keyPrefix + key));
    } catch (err) {
      if (!this.failOpen) throw err;
      if (this.onError) this.onError(err, { op: 'get', key });
      if (this.logger) this.logger.warn({ err, op: 'get', key }, 'alova/storage:redis: read failed, treated as a cache miss');
      return undefined;
    }
    return raw == null || raw === '' ? undefined : JSON.parse(raw);
  }

  async remove(key) {
    return this.guarded(() => this.backend.del(this.keyPrefix + key));
  }

  /** Deletes every key under `keyPrefix` (SCAN + UNLINK); resolves how many were deleted. */
  async clear() {
    return this.guarded(() => this.backend.clear(this.keyPrefix));
  }

  /**
   * Runs a Lua script atomically (EVALSHA, EVAL on NOSCRIPT). `keys` are used as given, with
   * no prefix. Replies: integer → number, bulk/status → string, nil → null, array → array.
   */
  eval(script, keys = [], args = []) {
    if (typeof script !== 'string') return Promise.reject(new AlovaError('script must be a string', AREA, 'ERR_ALOVA_INVALID_ARG'));
    return this.guarded(() => this.backend.eval(script, keys.map(String), args.map(String)));
  }

  get locker() {
    if (!this._locker) this._locker = new RedisLocker(this, this.redlock);
    return this._locker;
  }

  /** Closes the connection this adapter created (a client passed in stays open). */
  close() {
    if (this.ownsClient) this.backend.close();
  }
}

module.exports = RedisStorageAdapter;
module.exports.default = RedisStorageAdapter;
module.exports.RedisStorageAdapter = RedisStorageAdapter;
module.exports.RedisLocker = RedisLocker;
module.exports.RedisClient = RedisClient;
Object.defineProperty(module.exports, '__esModule', { value: true });
