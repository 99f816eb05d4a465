// The limiter's insurance (a store failure falls back to an in-memory limiter, as in
// rate-limiter-flexible) with a real redis-server killed mid-test, and `headers()`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startHttpServer, startRedis, freePort } from '../helpers/servers.mjs';
import { eventually } from '../helpers/eventually.mjs';

const require = createRequire(import.meta.url);
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const { createRateLimiter, rateLimitHeaders } = require('@alova/native/server');

const isRes = (e) => !(e instanceof Error) && typeof e.remainingPoints === 'number';

describe('rate limiter insurance', () => {
  let redis;
  let origin;
  let hits = 0;
  let storage;
  let alova;
  before(async () => {
    redis = await startRedis();
    origin = await startHttpServer((req, res) => {
      hits++;
      res.end('{"ok":true}');
    });
    storage = new RedisStorageAdapter({ port: redis.port, commandTimeout: 200, circuitBreaker: { threshold: 2, cooldown: 200 } });
    alova = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false, responded: (r) => r.json() });
  });
  after(async () => {
    storage.close();
    await origin.close();
    await redis.stop();
  });

  it('counts in Redis while it runs, in memory once it is killed, and in Redis again after', async () => {
    const insured = createRateLimiter({
      points: 3,
      duration: 60_000,
      storage,
      insuranceLimiter: createRateLimiter({ points: 2, duration: 60_000 }),
    });
    const bare = createRateLimiter({ points: 3, duration: 60_000, storage });
    const limited = () => insured(alova.Post('/orders', { n: 1 }), { key: 'user1' });
    assert.deepEqual(await limited(), { ok: true });
    assert.equal((await limited().consume()).consumedPoints, 2);
    assert.equal((await limited().get()).consumedPoints, 2, 'counted in Redis');
    assert.equal(hits, 1);

    await redis.stop();
    // Without insurance the store failure fails the request, as before.
    await assert.rejects(bare(alova.Post('/orders', {}), { key: 'user1' }), (e) => e instanceof Error && /^ERR_ALOVA_(REDIS_UNAVAILABLE|TIMEOUT)$/.test(e.code));
    // With it, the memory limiter (2 points) answers: the request goes through.
    assert.deepEqual(await limited(), { ok: true });
    assert.equal(hits, 2);
    assert.equal((await limited().consume()).consumedPoints, 2);
    await assert.rejects(limited(), (e) => {
      assert.ok(isRes(e), 'a rate-limit rejection, not an Error');
      assert.equal(e.remainingPoints, 0);
      assert.equal(e.consumedPoints, 3);
      const h = limited().headers(e);
      assert.equal(h['RateLimit-Limit'], '2', 'the limit of the limiter that answered');
      assert.ok(Number(h['Retry-After']) > 0);
      return true;
    });
    assert.equal(hits, 2, 'the rejected request was not sent');

    await redis.restart(); // an empty Redis
    // Until the adapter's breaker lets calls through, the memory limiter keeps rejecting.
    const res = await eventually(() => limited().consume());
    assert.equal(res.consumedPoints, 1, 'counted in an empty Redis again');
    assert.equal((await limited().get()).consumedPoints, 1);
  });

  it('accepts the insurance as options, counting in the instance L1 by default', async () => {
    const deadStorage = new RedisStorageAdapter({ port: 1, commandTimeout: 100, circuitBreaker: false });
    try {
      const insured = createRateLimiter({ points: 5, storage: deadStorage, insuranceLimiter: { points: 1, duration: 60_000 } });
      const res = await insured(alova.Get('/x'), { key: 'opts' }).consume();
      assert.equal(res.consumedPoints, 1);
      await assert.rejects(insured(alova.Get('/x'), { key: 'opts' }).consume(), isRes);
      // The record lives in the store of the instance's L1 cache.
      const seen = await createRateLimiter({ points: 1, storage: alova.l1Cache })(alova.Get('/x'), { key: 'opts' }).get();
      assert.equal(seen.consumedPoints, 2);
    } finally {
      deadStorage.close();
    }
  });

  it('falls back as rate-limiter-flexible does (RateLimiterRedis on a dead Redis, memory insurance)', async () => {
    const { RateLimiterRedis, RateLimiterMemory } = require('rate-limiter-flexible');
    const Redis = require('ioredis');
    const port = await freePort(); // nothing listens there
    const client = new Redis({ port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    const deadStorage = new RedisStorageAdapter({ port, commandTimeout: 200, circuitBreaker: false });
    const outcome = (p) =>
      p.then(
        (r) => ['pass', r.remainingPoints, r.consumedPoints, r.isFirstInDuration],
        (r) => (r instanceof Error ? ['error', r.message] : ['reject', r.remainingPoints, r.consumedPoints, r.isFirstInDuration]),
      );
    try {
      const theirs = new RateLimiterRedis({ storeClient: client, points: 3, duration: 60, insuranceLimiter: new RateLimiterMemory({ points: 2, duration: 60 }) });
      const ours = createRateLimiter({ points: 3, duration: 60_000, storage: deadStorage, insuranceLimiter: { points: 2, duration: 60_000 } });
      const expected = [];
      const actual = [];
      for (let i = 0; i < 3; i++) {
        expected.push(await outcome(theirs.consume('parity')));
        actual.push(await outcome(ours(alova.Get('/p'), { key: 'parity' }).consume()));
      }
      assert.deepEqual(actual, expected);
      assert.deepEqual(expected.map((o) => o[0]), ['pass', 'pass', 'reject']);
    } finally {
      client.disconnect();
      deadStorage.close();
    }
  });

  it('refuses an insurance that is neither a limiter nor options', () => {
    for (const bad of ['memory', 3, null, [1]]) {
      assert.throws(() => createRateLimiter({ insuranceLimiter: bad }), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/RateLimit]' });
    }
  });
});

describe('rate limit headers', () => {
  const alova = createAlova({ baseURL: 'http://127.0.0.1:1', requestAdapter: adapterFetch(), cacheLogger: false });

  it('RateLimit-* on a pass, Retry-After on a rejection', async () => {
    const limit = createRateLimiter({ points: 2, duration: 30_000, storage: alova.l1Cache });
    const m = () => limit(alova.Get('/h'), { key: 'hdr' });
    const first = await m().consume();
    assert.deepEqual(m().headers(first), { 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1', 'RateLimit-Reset': '30' });
    await m().consume();
    const rejected = await m().consume().then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    const h = m().headers(rejected);
    assert.equal(h['RateLimit-Remaining'], '0');
    assert.equal(h['Retry-After'], h['RateLimit-Reset']);
    assert.ok(Number(h['Retry-After']) > 0 && Number(h['Retry-After']) <= 30);
    // The same from the standalone helper, and on a plain HTTP response.
    assert.deepEqual(rateLimitHeaders(rejected, 2), h);
  });

  it('leaves out the reset of a record that never expires, and refuses bad input', async () => {
    const limit = createRateLimiter({ points: 2, duration: 0, storage: alova.l1Cache });
    const res = await limit(alova.Get('/n'), { key: 'forever' }).consume();
    assert.deepEqual(rateLimitHeaders(res, 2), { 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1' });
    assert.throws(() => rateLimitHeaders({}, 2), { code: 'ERR_ALOVA_INVALID_ARG' });
    assert.throws(() => rateLimitHeaders(res), { code: 'ERR_ALOVA_INVALID_ARG' });
  });
});
