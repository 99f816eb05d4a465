'use strict';
// RedisStorageAdapter: alova's L2 cache on Redis through a native client (or a JS client the
// user passes). Values are stored as JSON text; alova's `[data, expireTs]` entries get a
// matching PX expiry. Beyond @alova/storage-redis: `clear()` works, every operation has a
// time limit, a circuit breaker stops calling a dead Redis, and a failed read is a cache miss
// (`failOpen`) so requests go to the network instead of failing.
const { AlovaError, codes } = require('../errors');
const { CircuitBreaker } = require('./breaker');
const { NativeBackend } = require('./native-backend');
const { JsBackend, isJsClient } = require('./js-backend');
const { RedisLocker } = require('./locker');
const { RedisFacade } = require('./facade');
const { kAtomicScript, kRedisConnection } = require('../capabilities');
const { CACHE_SPACES } = require('../cache-space');
const { checkLogger } = require('../core/logger');
const { expiryOf } = require('../core/expiry');
const { Histogram } = require('../metrics/histogram');
const { register } = require('../metrics/registry');
const { channel } = require('node:diagnostics_channel');

// Extension: one message per operation once it settles, built only when someone listens.
const commandChannel = channel('alova:redis:command');

const AREA = 'storage:redis';

/** ioredis options the native client does not need: accepted, with no effect (it reconnects,
 * queues and pipelines by itself). Every other unknown option is refused by name. */
const NO_EFFECT = new Set([
  'lazyConnect', 'maxRetriesPerRequest', 'enableReadyCheck', 'enableOfflineQueue', 'retryStrategy',
  'reconnectOnError', 'connectionName', 'keepAlive', 'noDelay', 'showFriendlyErrorStack',
  'enableAutoPipelining', 'autoResubscribe', 'autoResendUnfulfilledCommands', 'maxLoadingRetryTime',
]);
const TLS_KEYS = new Set(['ca', 'cert', 'key', 'rejectUnauthorized', 'servername']);

const unsupported = (what) => new AlovaError(`${what} is not supported by @alova/native/storage-redis`, AREA, codes.UNSUPPORTED);
const invalid = (message) => new AlovaError(message, AREA, codes.INVALID_ARG);

/** PEM given as a string, a Buffer or an array of them → one Buffer. */
function pem(value, name) {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string' || Buffer.isBuffer(v))) throw invalid(`\`tls.${name}\` must be PEM text or a Buffer`);
  return Buffer.concat(list.map((v) => Buffer.from(v)).flatMap((b) => [b, Buffer.from('\n')]));
}

function tlsOptions(tls) {
  if (tls === undefined || tls === null || tls === false) return undefined;
  if (tls === true) return {};
  if (typeof tls !== 'object') throw invalid('`tls` must be an object of tls.connect options');
  for (const k of Object.keys(tls)) if (!TLS_KEYS.has(k) && tls[k] !== undefined) throw unsupported(`\`tls.${k}\``);
  return {
    ca: pem(tls.ca, 'ca'),
    cert: pem(tls.cert, 'cert'),
    key: pem(tls.key, 'key'),
    rejectUnauthorized: tls.rejectUnauthorized === undefined ? undefined : tls.rejectUnauthorized !== false,
    servername: tls.servername,
  };
}

/** ioredis-style options → the native client's options; anything else is refused by name. */
function nativeOptions(o, commandTimeout) {
  const {
    url, host, port, username, password, db, path, tls, connectTimeout,
    sentinels, name, role, sentinelUsername, sentinelPassword,
    ...rest
  } = o;
  for (const k of Object.keys(rest)) if (!NO_EFFECT.has(k) && rest[k] !== undefined) throw unsupported(`The option \`${k}\``);
  if (sentinels !== undefined) {
    if (!Array.isArray(sentinels) || !sentinels.length) throw invalid('`sentinels` must be a non-empty array of { host, port }');
    if (tls) throw unsupported('`tls` together with `sentinels`');
  }
  if (path !== undefined && typeof path !== 'string') throw invalid('`path` must be a string');
  return {
    url,
    host,
    port: port === undefined ? undefined : Number(port),
    username,
    password,
    db,
    path,
    tls: tlsOptions(tls),
    sentinels: sentinels && sentinels.map((s) => ({ host: s.host || '127.0.0.1', port: Number(s.port || 26379) })),
    name,
    role,
    sentinelUsername,
    sentinelPassword,
    commandTimeout,
    connectTimeout,
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
  if (code === codes.TIMEOUT || code === codes.REDIS_UNAVAILABLE) return true;
  if (code === codes.UNSUPPORTED || code === codes.REDIS) return false;
  // A JS client: everything but a reply from the server.
  return !(err && (err.name === 'ReplyError' || err.name === 'ErrorReply'));
}

/** A promise of what `fn(err)` returns (or throws), for a failure found before any I/O. */
function settleWith(fn, err) {
  try {
    return Promise.resolve(fn(err));
  } catch (e) {
    return Promise.reject(e);
  }
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
    // Read by stats() only; plain increments on the operation path.
    this.counts = { hits: 0, misses: 0, errors: 0 };
    this.latency = new Histogram();
    register('l2', this);
    if (client) {
      // Another adapter's `.client` shares that adapter's native connection.
      const native = client[kRedisConnection] ?? null;
      this.backend = native ? new NativeBackend(native) : isJsClient(client) ? new JsBackend(client, { commandTimeout }) : null;
      if (!this.backend) {
        throw new AlovaError('`client` must be an ioredis or node-redis client, another adapter\'s `client`, or an object with get, set and del methods', AREA, codes.INVALID_ARG);
      }
      this.userClient = client;
    } else if ('nodes' in config) {
      if (!Array.isArray(nodes) || !nodes.length) throw new AlovaError('`nodes` must be a non-empty array', AREA, codes.INVALID_ARG);
      const ro = (options && options.redisOptions) || {};
      this.backend = NativeBackend.create({
        nodes: nodes.map(nodeAddress),
        username: ro.username,
        password: ro.password,
        commandTimeout,
        connectTimeout: ro.connectTimeout,
      });
    } else {
      this.backend = NativeBackend.create(nativeOptions(redisOptions, commandTimeout));
    }
  }

  /**
   * The Redis client, as @alova/storage-redis exposes it: the client passed in, or an
   * ioredis-compatible facade over this adapter's native connection (events, `status`,
   * `quit()`, commands).
   */
  get client() {
    if (this.userClient) return this.userClient;
    if (!this.facade) {
      const onClose = () => {
        this.closed = true;
        this.backend.close();
      };
      this.facade = new RedisFacade(this.backend.client, { onClose });
    }
    return this.facade;
  }

  get isCluster() {
    return this.backend.isCluster;
  }

  /** Circuit breaker state: `closed` (normal), `open` (failing fast) or `half-open` (probing). */
  get health() {
    const b = this.breaker;
    return b ? { state: b.state, failures: b.failures } : { state: 'closed', failures: 0 };
  }

  /** `{ hits, misses, errors, breaker, breakerOpen, latency }`: this adapter's counters since it was made. */
  stats() {
    const { state } = this.health;
    return { ...this.counts, breaker: state, breakerOpen: state !== 'closed', latency: this.latency.snapshot() };
  }

  /**
   * Runs `fn` (the operation `command` on `keys`) against Redis unless the breaker is open,
   * tells the breaker how it went, and counts it. `then(value)` and `otherwise(err)`, when
   * given, continue in the same promise reaction (a read costs one hop, not three).
   */
  guarded(command, keys, fn, then, otherwise) {
    const b = this.breaker;
    if (b && !b.allow()) {
      this.counts.errors++;
      const err = new AlovaError(`Redis is unavailable (${b.failures} failed operations); calls fail fast until a probe succeeds`, AREA, codes.REDIS_UNAVAILABLE);
      if (commandChannel.hasSubscribers) commandChannel.publish({ command, keys, duration: 0, error: err });
      return otherwise ? settleWith(otherwise, err) : Promise.reject(err);
    }
    const started = performance.now();
    let p;
    try {
      p = fn();
    } catch (err) {
      this.counts.errors++;
      return otherwise ? settleWith(otherwise, err) : Promise.reject(err);
    }
    const report = commandChannel.hasSubscribers;
    return p.then(
      (v) => {
        const duration = performance.now() - started;
        this.latency.observe(duration);
        if (report) commandChannel.publish({ command, keys, duration });
        if (b) b.success();
        if (this.facade) this.facade.up();
        return then ? then(v) : v;
      },
      (err) => {
        const duration = performance.now() - started;
        this.latency.observe(duration);
        this.counts.errors++;
        if (report) commandChannel.publish({ command, keys, duration, error: err });
        const down = isUnavailable(err);
        if (b) (down ? b.failure() : b.success());
        // The facade's events report what the adapter's own traffic finds too.
        if (this.facade) (down ? this.facade.down(err) : this.facade.up());
        err.name = `[alova/${AREA}]`;
        if (otherwise) return otherwise(err);
        throw err;
      },
    );
  }

  async set(key, value) {
    const rkey = this.keyPrefix + key;
    const json = JSON.stringify(value);
    if (json === undefined) throw new AlovaError(`value of ${key} cannot be stored as JSON`, AREA, codes.INVALID_ARG);
    const ts = expiryOf(value);
    if (ts > 0) {
      const px = ts - Date.now();
      // an entry whose expiry has passed leaves nothing under its key, as if it had expired there
      if (px <= 0) return this.guarded('del', [rkey], () => this.backend.del(rkey));
      return this.guarded('set', [rkey], () => this.backend.set(rkey, json, px));
    }
    return this.guarded('set', [rkey], () => this.backend.set(rkey, json));
  }

  get(key) {
    let rkey;
    try {
      rkey = this.keyPrefix + key;
    } catch (err) {
      return Promise.reject(err);
    }
    return this.guarded('get', [rkey], () => this.backend.get(rkey), (raw) => this.found(raw), (err) => this.readFailed(err, key));
  }

  /** A reply to a read: the stored value, or `undefined` when there is none. */
  found(raw) {
    if (raw == null || raw === '') {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    return JSON.parse(raw);
  }

  /** A read failed: a cache miss with `failOpen` (told to `onError` and the logger), else the error. */
  readFailed(err, key) {
    if (!this.failOpen) throw err;
    if (this.onError) this.onError(err, { op: 'get', key });
    if (this.logger) this.logger.warn({ err, op: 'get', key }, 'alova/storage:redis: read failed, treated as a cache miss');
    return undefined;
  }

  async remove(key) {
    const rkey = this.keyPrefix + key;
    return this.guarded('del', [rkey], () => this.backend.del(rkey));
  }

  /**
   * Deletes the cache entries under `keyPrefix` (SCAN + UNLINK): alova's `$a.` entries and
   * hit-source index, never rate-limit, captcha or lock records (see lib/cache-space.js).
   * Resolves how many keys were deleted.
   */
  async clear() {
    // `invalidateCache()` clears every adapter alova has seen: one closed since must not fail it.
    if (this.closed) return 0;
    return this.guarded('clear', [], () => this.backend.clear(this.keyPrefix, CACHE_SPACES));
  }

  /**
   * Runs a Lua script atomically (EVALSHA, EVAL on NOSCRIPT). `keys` are used as given, with
   * no prefix. Replies: integer → number, bulk/status → string, nil → null, array → array.
   */
  eval(script, keys = [], args = []) {
    if (typeof script !== 'string') return Promise.reject(new AlovaError('script must be a string', AREA, codes.INVALID_ARG));
    const names = keys.map(String);
    return this.guarded('eval', names, () => this.backend.eval(script, names, args.map(String)));
  }

  get locker() {
    if (!this._locker) this._locker = new RedisLocker(this, this.redlock);
    return this._locker;
  }

  /** Closes the connection this adapter created (a client passed in stays open). */
  close() {
    if (!this.ownsClient) return;
    this.closed = true;
    if (this.facade) this.facade.disconnect();
    else this.backend.close();
  }
}

// Declared for the server hooks: `eval` runs their read-modify-write steps atomically.
RedisStorageAdapter.prototype[kAtomicScript] = true;

module.exports = RedisStorageAdapter;
module.exports.default = RedisStorageAdapter;
module.exports.RedisStorageAdapter = RedisStorageAdapter;
module.exports.RedisLocker = RedisLocker;
Object.defineProperty(module.exports, '__esModule', { value: true });
