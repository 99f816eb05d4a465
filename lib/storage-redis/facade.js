'use strict';
// `adapter.client` when the adapter made its own connection: an object that answers as an
// ioredis `Redis` does, so code written for @alova/storage-redis (`client.on('error', ...)`,
// `client.quit()`, `client.get(...)`) keeps working. It shares the adapter's native
// connection. Its status and events follow what the connection does: the first command (a
// PING sent at creation) makes it `ready`; a command that cannot reach Redis makes it
// `reconnecting` and starts probing with PING until Redis answers again.
const { EventEmitter } = require('node:events');
const { AlovaError, codes } = require('../errors');
const { kRedisConnection } = require('../capabilities');

const REPLIED = 'Redis replied: ';
const RETRY_MS = [50, 100, 200, 500, 1000, 2000];

/** ioredis's ReplyError shape for an error reply; the engine's coded error otherwise. */
function toError(err) {
  if (err.code === codes.REDIS && err.message.startsWith(REPLIED)) {
    err.message = err.message.slice(REPLIED.length);
    err.name = 'ReplyError';
  }
  return err;
}

/** Arguments as ioredis sends them: arrays flattened, everything else as text. */
function flatten(args, out = []) {
  for (const a of args) {
    if (Array.isArray(a)) flatten(a, out);
    else if (Buffer.isBuffer(a)) out.push(a.toString());
    else out.push(String(a));
  }
  return out;
}

/** `hset(key, { f: v })`, `hset(key, Map)` and `hset(key, f, v, ...)` as field/value pairs. */
function pairs(args) {
  const [first] = args;
  if (args.length === 1 && first instanceof Map) return [...first].flat();
  if (args.length === 1 && first && typeof first === 'object' && !Array.isArray(first)) return Object.entries(first).flat();
  return args;
}

function toObject(list) {
  const out = {};
  for (let i = 0; i + 1 < (list || []).length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

class RedisFacade extends EventEmitter {
  // The native client: its raw protocol stays inside the package.
  #native;

  /**
   * @param client the native RedisClient (`command(args)` → JSON text)
   * @param {{ onClose?: () => void }} hooks `onClose` closes the connection for good
   */
  constructor(client, { onClose } = {}) {
    super();
    this.#native = client;
    this.onClose = onClose;
    this.status = 'connecting';
    this.isCluster = client.isCluster;
    this.attempt = 0;
    this.timer = null;
    process.nextTick(() => this.probe());
  }

  /** The native connection, for another adapter given this client to share. */
  get [kRedisConnection]() {
    return this.#native;
  }

  /** Emits `error` only to listeners (ioredis never lets it become an uncaught exception). */
  silentEmit(event, ...args) {
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return this.emit(event, ...args);
  }

  setStatus(status, ...args) {
    if (this.status === status) return;
    this.status = status;
    this.silentEmit(status, ...args);
  }

  /** Redis answered: the connection is up. */
  up() {
    if (this.status === 'ready' || this.status === 'end') return;
    this.attempt = 0;
    this.setStatus('connect');
    this.setStatus('ready');
  }

  /** Redis could not be reached: report it once and probe until it answers. */
  down(err) {
    if (this.status === 'end') return;
    this.silentEmit('error', err);
    if (this.status === 'reconnecting' || this.timer) return;
    this.setStatus('close');
    const delay = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    this.setStatus('reconnecting', delay);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.status = 'connecting';
      this.probe();
    }, delay);
    this.timer.unref();
  }

  probe() {
    if (this.status === 'end') return;
    this.send(['PING']).catch(() => {});
  }

  /** Any command: reports the connection state it reveals and answers ioredis-style. */
  send(args, map) {
    if (this.status === 'end') return Promise.reject(new Error('Connection is closed.'));
    return this.#native.command(args).then(
      (json) => {
        this.up();
        const v = JSON.parse(json);
        return map ? map(v) : v;
      },
      (err) => {
        toError(err);
        if (err.name === 'ReplyError') this.up();
        else this.down(err);
        throw err;
      },
    );
  }

  /** `call(name, ...args[, callback])`: any Redis command. */
  call(name, ...args) {
    return this.run([name, ...args]);
  }

  /** Runs a command given as `[name, ...args]`, with ioredis's optional trailing callback. */
  run(parts, map) {
    const cb = typeof parts[parts.length - 1] === 'function' ? parts.pop() : null;
    const p = this.send(flatten(parts), map);
    if (!cb) return p;
    p.then((v) => cb(null, v), (e) => cb(e));
    return p;
  }

  /** Sends QUIT and closes; resolves `'OK'` as ioredis does. */
  async quit() {
    if (this.status === 'end') return 'OK';
    try {
      await this.#native.command(['QUIT']);
    } catch {
      // closing anyway
    }
    this.end();
    return 'OK';
  }

  /** Closes at once. */
  disconnect() {
    this.end();
  }

  end() {
    if (this.status === 'end') return;
    clearTimeout(this.timer);
    this.timer = null;
    const wasOpen = this.status !== 'reconnecting';
    this.status = 'end';
    if (this.onClose) this.onClose();
    if (wasOpen) this.silentEmit('close');
    this.silentEmit('end');
  }

  hset(key, ...args) {
    const cb = typeof args[args.length - 1] === 'function' ? [args.pop()] : [];
    return this.run(['HSET', key, ...pairs(args), ...cb]);
  }

  hmset(key, ...args) {
    const cb = typeof args[args.length - 1] === 'function' ? [args.pop()] : [];
    return this.run(['HMSET', key, ...pairs(args), ...cb]);
  }

  hgetall(...args) {
    return this.run(['HGETALL', ...args], toObject);
  }

  /**
   * `subscribe(...channels[, callback])`: resolves how many channels are subscribed; messages
   * arrive as `message` events `(channel, message)`. Unlike ioredis, the client stays usable
   * for other commands (subscriptions have a connection of their own).
   */
  subscribe(...args) {
    return this.subscription('subscribe', args);
  }

  /** `unsubscribe(...channels[, callback])` (every channel when none is named). */
  unsubscribe(...args) {
    return this.subscription('unsubscribe', args);
  }

  subscription(op, args) {
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    let p;
    if (this.status === 'end') p = Promise.reject(new Error('Connection is closed.'));
    else if (this.isCluster) p = Promise.reject(new AlovaError(`${op} is not supported on Redis Cluster by this client; use your own client for pub/sub`, 'storage:redis', codes.UNSUPPORTED));
    else {
      if (!this.listening) {
        this.#native.onMessage(([channel, message]) => this.emit('message', channel, message));
        this.listening = true;
      }
      p = this.#native[op](flatten(args)).catch((err) => {
        throw toError(err);
      });
    }
    if (cb) p.then((v) => cb(null, v), (e) => cb(e));
    return p;
  }
}

// Commands that answer as Redis replies, under ioredis's lower-case method names.
const COMMANDS = [
  'get', 'set', 'del', 'unlink', 'exists', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl',
  'persist', 'type', 'keys', 'scan', 'incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'mget', 'mset',
  'setnx', 'setex', 'psetex', 'getset', 'getdel', 'append', 'strlen', 'hget', 'hdel', 'hexists', 'hincrby',
  'hkeys', 'hvals', 'hlen', 'hmget', 'lpush', 'rpush', 'lpop', 'rpop', 'lrange', 'llen', 'sadd', 'srem',
  'smembers', 'sismember', 'scard', 'zadd', 'zrem', 'zrange', 'zscore', 'zcard', 'zincrby', 'eval',
  'evalsha', 'script', 'publish', 'ping', 'echo', 'dbsize', 'flushdb', 'info', 'time',
];
for (const name of COMMANDS) {
  const upper = name.toUpperCase();
  RedisFacade.prototype[name] = function command(...args) {
    return this.run([upper, ...args]);
  };
}

module.exports = { RedisFacade };
