// Redis going away and coming back: reads turn into misses, writes fail fast with a coded
// error, the circuit breaker stops calling a dead server, nothing crashes or goes unhandled,
// and the same adapter works again once Redis is back. Requests through alova still succeed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startRedis, startHttpServer } from '../helpers/servers.mjs';
import { eventually } from '../helpers/eventually.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');

describe('storage-redis faults', () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  let redis;

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await startRedis();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await redis.stop();
    assert.deepEqual(unhandled, []);
  });

  it('Redis killed mid-run: misses, fast coded failures, breaker, then recovery without restart', async () => {
    const errors = [];
    const a = new RedisStorageAdapter({
      port: redis.port,
      commandTimeout: 300,
      circuitBreaker: { threshold: 3, cooldown: 300 },
      onError: (err, info) => errors.push([err.code, info.op]),
    });
    await a.set('k', [{ v: 1 }]);
    assert.deepEqual(await a.get('k'), [{ v: 1 }]);

    await redis.stop();
    // Reads are misses, not rejections; the first failures are reported.
    for (let i = 0; i < 5; i++) assert.equal(await a.get('k'), undefined);
    assert.ok(errors.length >= 3);
    for (const [code, op] of errors) {
      assert.ok(code === 'ERR_ALOVA_REDIS_UNAVAILABLE' || code === 'ERR_ALOVA_TIMEOUT', code);
      assert.equal(op, 'get');
    }
    assert.equal(a.health.state, 'open');
    // While open, calls fail without waiting for a connection attempt.
    const t0 = Date.now();
    await assert.rejects(a.set('k', [2]), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE' && e.name === '[alova/storage:redis]');
    await assert.rejects(a.eval('return 1', [], []), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE');
    await assert.rejects(a.locker.lock('x'), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE');
    assert.ok(Date.now() - t0 < 200, 'fails fast while the circuit is open');
    // Many concurrent reads of a dead server all settle.
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => a.get(`m${i}`)));
    assert.ok(many.every((v) => v === undefined));

    await redis.restart();
    await eventually(async () => {
      await a.set('k', [{ v: 3 }]);
      assert.deepEqual(await a.get('k'), [{ v: 3 }]);
    });
    assert.equal(a.health.state, 'closed');
    a.close();
  });

  it('failOpen: false makes a failed read reject with the code', async () => {
    const dead = new RedisStorageAdapter({ port: 1, commandTimeout: 200, failOpen: false });
    await assert.rejects(dead.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE' || e.code === 'ERR_ALOVA_TIMEOUT');
    dead.close();
  });

  it('a server that stops answering gives ERR_ALOVA_TIMEOUT within commandTimeout', async () => {
    const a = new RedisStorageAdapter({ port: redis.port, commandTimeout: 200, failOpen: false, circuitBreaker: false });
    await a.set('slow', [1]);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      await assert.rejects(a.get('slow'), (e) => e.code === 'ERR_ALOVA_TIMEOUT');
      const took = Date.now() - t0;
      assert.ok(took >= 150 && took < 2000, `took ${took}ms`);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await eventually(async () => assert.deepEqual(await a.get('slow'), [1]));
    a.close();
  });

  it('alova requests in restore mode still succeed while Redis is down, and use it again after', async () => {
    const { createAlova } = require('alova');
    const adapterFetch = require('alova/fetch');
    let hits = 0;
    const origin = await startHttpServer((req, res) => {
      hits++;
      res.end(JSON.stringify({ n: hits }));
    });
    const l2Cache = new RedisStorageAdapter({ port: redis.port, commandTimeout: 200, circuitBreaker: { threshold: 2, cooldown: 200 } });
    const mk = () => createAlova({ id: 'fault', baseURL: origin.url, requestAdapter: adapterFetch(), l2Cache, cacheLogger: false, responded: (r) => r.json() });
    const get = (alova) => alova.Get('/x', { cacheFor: { mode: 'restore', expire: 60_000 } });
    try {
      assert.deepEqual(await get(mk()), { n: 1 });
      await redis.stop();
      // Fresh instances have an empty L1: each goes to L2 (down), then to the network.
      for (let i = 0; i < 4; i++) await get(mk());
      assert.equal(hits, 5);
      await redis.restart(); // an empty Redis
      await eventually(async () => {
        await get(mk());
        const before = hits;
        assert.deepEqual(await get(mk()), { n: before });
        assert.equal(hits, before, 'served from Redis again');
      });
    } finally {
      l2Cache.close();
      await origin.close();
    }
  });
});
