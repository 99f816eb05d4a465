'use strict';
// A Redis client the user created in JS (ioredis `Redis` or `Cluster`, node-redis v4 client),
// driven through its raw command call so the adapter keeps working for people who pass their
// own client. Same interface as the native backend.
const crypto = require('node:crypto');
const { AlovaError } = require('../errors');
const { after } = require('../timers');

function isIORedis(client) {
  return typeof client.call === 'function' && typeof client.status === 'string';
}

function isNodeRedis(client) {
  return typeof client.sendCommand === 'function' && 'isOpen' in client;
}

function isJsClient(client) {
  return !!client && (isIORedis(client) || isNodeRedis(client));
}

class JsBackend {
  constructor(client, { commandTimeout }) {
    this.client = client;
    this.timeout = commandTimeout;
    this.isCluster = client.isCluster === true;
    if (isIORedis(client)) this.send = (node, args) => node.call(...args);
    else if (isNodeRedis(client)) this.send = (node, args) => node.sendCommand(args.map(String));
    else throw new AlovaError('client must be an ioredis client, a node-redis v4 client or a native RedisClient', 'storage:redis', 'ERR_ALOVA_INVALID_ARG');
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

  async clear(prefix) {
    const pattern = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    const nodes = this.isCluster ? this.client.nodes('master') : [this.client];
    let total = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'], node);
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
    timer = after(ms, () => reject(new AlovaError(`Redis operation timed out after ${ms}ms`, 'storage:redis', 'ERR_ALOVA_TIMEOUT')));
  });
  return Promise.race([promise, timeout]).finally(() => timer.clear());
}

module.exports = { JsBackend, isJsClient };
