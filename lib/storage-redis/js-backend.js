'use strict';
// A Redis client the user created in JS (ioredis `Redis` or `Cluster`, node-redis v4 client),
// driven through its raw command call so the adapter keeps working for people who pass their
// own client. Any other object works through its per-command methods (`get`, `set`, `del`, as
// alova's own tests pass one), and needs only the methods of the operations it is used for.
// Same interface as the native backend.
const crypto = require('node:crypto');
const { AlovaError, codes } = require('../errors');
const { after } = require('../timers');

function isIORedis(client) {
  return typeof client.call === 'function';
}

function isNodeRedis(client) {
  return typeof client.sendCommand === 'function' && 'isOpen' in client;
}

/** An object with the methods every adapter operation needs. */
function hasCommandMethods(client) {
  return ['get', 'set', 'del'].every((m) => typeof client[m] === 'function');
}

function isJsClient(client) {
  return !!client && typeof client === 'object' && (isIORedis(client) || isNodeRedis(client) || hasCommandMethods(client));
}

/** `[name, ...args]` through the client's method of that name. */
function byMethod(node, [name, ...args]) {
  const method = node[name.toLowerCase()];
  if (typeof method !== 'function') {
    return Promise.reject(new AlovaError(`the Redis client passed in has no \`${name.toLowerCase()}\` method, which this operation needs`, 'storage:redis', codes.UNSUPPORTED));
  }
  try {
    return Promise.resolve(method.apply(node, args));
  } catch (err) {
    return Promise.reject(err);
  }
}

class JsBackend {
  constructor(client, { commandTimeout }) {
    this.client = client;
    this.timeout = commandTimeout;
    this.isCluster = client.isCluster === true;
    if (isIORedis(client)) this.send = (node, args) => node.call(...args);
    else if (isNodeRedis(client)) this.send = (node, args) => node.sendCommand(args.map(String));
    else this.send = byMethod;
    this.shas = new Map();
  }

  command(args, node = this.client) {
    return limited(this.send(node, args), this.timeout);
  }

  async get(key) {
    const v = await this.command(['GET', key]);
    return v == null ? null : String(v);
  }

  set(key, value, px) {
    return this.command(px === undefined ? ['SET', key, value] : ['SET', key, value, 'PX', String(Math.max(1, Math.ceil(px)))]);
  }

  del(key) {
    return this.command(['DEL', key]);
  }

  async clear(prefix, spaces) {
    const inSpace = (k) => spaces.some((s) => String(k).startsWith(prefix + s));
    const pattern = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    const nodes = this.isCluster ? this.client.nodes('master') : [this.client];
    let total = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await this.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'], node);
        const keys = found.filter(inSpace);
        cursor = String(next);
        // One key per command on a cluster, where a multi-key UNLINK must stay in one slot.
        if (keys.length && this.isCluster) await Promise.all(keys.map((k) => this.command(['UNLINK', k], node)));
        else if (keys.length) await this.command(['UNLINK', ...keys], node);
        total += keys.length;
      } while (cursor !== '0');
    }
    return total;
  }

  async eval(script, keys, args) {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = crypto.createHash('sha1').update(script).digest('hex');
      this.shas.set(script, sha);
    }
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.command(['EVALSHA', sha, ...tail]);
    } catch (err) {
      if (!/NOSCRIPT/.test(String(err && err.message))) throw err;
      return this.command(['EVAL', script, ...tail]);
    }
  }

  close() {}
}

function limited(promise, ms) {
  if (!(ms > 0)) return promise;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = after(ms, () => reject(new AlovaError(`Redis operation timed out after ${ms}ms`, 'storage:redis', codes.TIMEOUT)));
  });
  return Promise.race([promise, timeout]).finally(() => timer.clear());
}

module.exports = { JsBackend, isJsClient };
