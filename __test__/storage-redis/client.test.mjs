// `adapter.client` against a real redis-server: the ioredis-compatible facade answers every
// command as ioredis does (same commands sent through both, replies compared), reports its
// connection through ioredis's events and status, quits and disconnects; a client passed in is
// `.client` itself, and a plain object with get/set/del is enough to run the cache.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import Redis from 'ioredis';
import { startRedis, freePort } from '../helpers/servers.mjs';
import { useRedis } from '../fixtures/storage/redis.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');

/** Commands sent to both clients, each against its own keys (`{k}` is replaced). */
const SCRIPT = [
  ['set', '{k}s', 'v'],
  ['set', '{k}s', 'v2', 'PX', 5000],
  ['set', '{k}s', 'v3', 'NX'],
  ['get', '{k}s'],
  ['get', '{k}missing'],
  ['exists', '{k}s', '{k}missing'],
  ['expire', '{k}s', 100],
  ['ttl', '{k}s'],
  ['pexpire', '{k}s', 100000],
  ['ttl', '{k}missing'],
  ['pttl', '{k}missing'],
  ['incr', '{k}n'],
  ['incrby', '{k}n', 10],
  ['decr', '{k}n'],
  ['decrby', '{k}n', 3],
  ['get', '{k}n'],
  ['hset', '{k}h', 'a', '1', 'b', '2'],
  ['hset', '{k}h', { c: 3, d: 'x' }],
  ['hget', '{k}h', 'a'],
  ['hget', '{k}h', 'zz'],
  ['hdel', '{k}h', 'b', 'zz'],
  ['hgetall', '{k}h'],
  ['hgetall', '{k}missing'],
  ['mget', ['{k}s', '{k}missing', '{k}n']],
  ['eval', "return {1, 'two', false, redis.call('GET', KEYS[1])}", 1, '{k}s'],
  ['eval', "return redis.status_reply('FINE')", 0],
  ['eval', 'return nil', 0],
  ['evalsha', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 0],
  ['publish', '{k}chan', 'hello'],
  ['call', 'STRLEN', '{k}s'],
  ['call', 'LPUSH', '{k}l', 'a', 'b'],
  ['lrange', '{k}l', 0, -1],
  ['del', '{k}s', '{k}n', '{k}h', '{k}l'],
  ['ping'],
];

const fill = (args, k) => args.map((a) => (typeof a === 'string' ? a.replaceAll('{k}', k) : Array.isArray(a) ? fill(a, k) : a));

async function outcome(client, [name, ...args], k) {
  try {
    return { ok: await client[name](...fill(args, k)) };
  } catch (err) {
    return { error: err.name, message: err.message };
  }
}

describe('storage-redis client', () => {
  const fx = useRedis();

  it('keeps the native client and its pipeline protocol inside the package', async () => {
    assert.deepEqual(Object.keys(require('@alova/native/storage-redis')).sort(), ['RedisLocker', 'RedisStorageAdapter', 'default']);
    const facade = fx.make().client;
    for (const name of ['native', 'submit', 'settled']) assert.equal(facade[name], undefined, name);
    // Another adapter given this client still shares its connection.
    const a = fx.make({ client: facade, keyPrefix: 'shared:' });
    assert.equal(a.client, facade);
    await a.set('k', 1);
    assert.equal(await fx.raw.get('shared:k'), '1');
  });

  it('answers each command as ioredis does (values, numbers, null, objects, errors)', async () => {
    const facade = fx.make().client;
    // A script loaded, so EVALSHA has something to find.
    await fx.raw.script('LOAD', 'return 7');
    for (const step of SCRIPT) {
      const mine = await outcome(facade, step, 'f:');
      const theirs = await outcome(fx.raw, step, 'i:');
      assert.deepEqual(mine, theirs, `${step[0]} ${JSON.stringify(step.slice(1))}`);
    }
    // An error reply: same message, ioredis's ReplyError name.
    await fx.raw.set('str', 'x');
    const mine = await outcome(facade, ['incr', 'str'], '');
    const theirs = await outcome(fx.raw, ['incr', 'str'], '');
    assert.deepEqual(mine, theirs);
    assert.equal(mine.error, 'ReplyError');
    // Node-style callbacks as well as promises.
    const viaCallback = await new Promise((resolve, reject) => facade.get('str', (err, v) => (err ? reject(err) : resolve(v))));
    assert.equal(viaCallback, 'x');
  });

  it('reports connect and ready on a real EventEmitter, then quits with OK and ends', async () => {
    const a = fx.make();
    const client = a.client;
    assert.equal(a.client, client, 'one facade per adapter');
    const seen = [];
    for (const e of ['connect', 'ready', 'close', 'end']) client.on(e, () => seen.push(e));
    const onceReady = once(client, 'ready');
    assert.equal(client.status, 'connecting');
    await onceReady;
    assert.equal(client.status, 'ready');
    const listener = () => seen.push('extra');
    client.once('ready', listener);
    client.off('ready', listener);
    assert.equal(client.listenerCount('ready'), 1);
    await a.set('q', [1]);
    assert.equal(await client.quit(), 'OK');
    assert.equal(client.status, 'end');
    assert.deepEqual(seen, ['connect', 'ready', 'close', 'end']);
    await assert.rejects(client.get('q'), /Connection is closed/);
  });

  it('at startup against a Redis that is down: error events go to the listener, no crash, ready once it is up', async () => {
    const server = await startRedis();
    await server.stop();
    const a = new RedisStorageAdapter({ port: server.port, connectTimeout: 200, commandTimeout: 300 });
    const errors = [];
    const events = [];
    a.client.on('error', (e) => errors.push(e));
    for (const e of ['connect', 'ready', 'reconnecting']) a.client.on(e, () => events.push(e));
    while (!events.includes('reconnecting')) await new Promise((r) => setTimeout(r, 20));
    assert.ok(errors.length >= 1 && errors[0].code, 'an error with a code');
    assert.equal(events.includes('ready'), false);
    // A read is a cache miss meanwhile (failOpen).
    assert.equal(await a.get('x'), undefined);
    await server.restart();
    try {
      if (a.client.status !== 'ready') await once(a.client, 'ready');
      assert.equal(await a.client.ping(), 'PONG');
    } finally {
      a.close();
      await server.stop();
    }
  });

  it('without an error listener, an unreachable Redis does not throw an uncaught error', async () => {
    const a = new RedisStorageAdapter({ port: await freePort(), connectTimeout: 100, commandTimeout: 200 });
    const client = a.client;
    // (events.once would add an `error` listener of its own)
    await new Promise((resolve) => client.on('reconnecting', resolve));
    assert.equal(client.status, 'reconnecting');
    client.disconnect();
    assert.equal(client.status, 'end');
  });

  it('adapter traffic drives the events too: a dropped server gives error, close and reconnecting', async () => {
    const server = await startRedis();
    const a = new RedisStorageAdapter({ port: server.port, commandTimeout: 300, connectTimeout: 200, circuitBreaker: false });
    try {
      const client = a.client;
      if (client.status !== 'ready') await once(client, 'ready');
      const seen = [];
      client.on('error', () => seen.push('error'));
      client.on('close', () => seen.push('close'));
      client.on('reconnecting', () => seen.push('reconnecting'));
      await server.stop();
      assert.equal(await a.get('k'), undefined);
      assert.deepEqual(seen.slice(0, 3), ['error', 'close', 'reconnecting']);
      await server.restart();
      await once(client, 'ready');
      await a.set('k', [1]);
      assert.deepEqual(await a.get('k'), [1]);
    } finally {
      a.close();
      await server.stop();
    }
  });

  it('subscribes as ioredis does: the count, then message events', async () => {
    const facade = fx.make().client;
    const sub = new Redis(fx.redis.port, '127.0.0.1');
    try {
      await sub.ping(); // ready before it turns subscriber (its ready check would race the subscribe)
      assert.equal(await facade.subscribe('news', 'sport'), await sub.subscribe('news', 'sport'));
      const mine = once(facade, 'message');
      const theirs = once(sub, 'message');
      assert.equal(await fx.raw.publish('news', 'hello'), 2);
      assert.deepEqual(await mine, await theirs);
      assert.deepEqual(await mine, ['news', 'hello']);
      assert.equal(await facade.unsubscribe('sport'), await sub.unsubscribe('sport'));
      // Still usable for other commands, unlike an ioredis subscriber.
      assert.equal(await facade.ping(), 'PONG');
    } finally {
      sub.disconnect();
    }
  });

  it('a client passed in is `.client`; another adapter\'s `.client` shares its connection', async () => {
    const io = new Redis(fx.redis.port, '127.0.0.1');
    try {
      const viaIo = fx.make({ client: io });
      assert.equal(viaIo.client, io);
      const owner = fx.make();
      const sharing = fx.make({ client: owner.client, keyPrefix: 'shared:' });
      assert.equal(sharing.client, owner.client);
      await sharing.set('x', [1]);
      assert.equal(await owner.client.get('shared:x'), '[1]');
    } finally {
      io.disconnect();
    }
  });

  it('accepts a plain object with get/set/del (as alova\'s tests pass) and needs only what it uses', async () => {
    const io = new Redis(fx.redis.port, '127.0.0.1');
    try {
      const plain = {
        get: (k) => io.get(k),
        set: (k, v, ...rest) => io.set(k, v, ...rest),
        del: (k) => io.del(k),
      };
      const a = fx.make({ client: plain, keyPrefix: 'plain:' });
      assert.equal(a.client, plain);
      await a.set('e', [{ v: 1 }, Date.now() + 5000]);
      assert.ok((await io.pttl('plain:e')) > 0);
      assert.deepEqual((await a.get('e'))[0], { v: 1 });
      await a.remove('e');
      assert.equal(await io.exists('plain:e'), 0);
      // clear() needs `scan`: refused by name, with a code.
      await assert.rejects(a.clear(), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && /`scan`/.test(e.message));
      assert.equal(a.health.state, 'closed', 'a missing method is not an outage');
    } finally {
      io.disconnect();
    }
  });
});
