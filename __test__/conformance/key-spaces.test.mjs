// A cache invalidation removes cache entries only. Through a real createAlova with the Redis
// and the file adapter as l2Cache: a cached response, a rate-limit counter, a captcha record
// and a held lock are stored; `invalidateCache()` with no arguments removes the cache entry
// and leaves the other three intact. The cache entry keeps alova's key, readable by alova's
// own adapter.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpServer } from '../helpers/servers.mjs';
import { useRedis } from '../fixtures/storage/redis.mjs';

const require = createRequire(import.meta.url);
const { createAlova, invalidateCache } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const { createRateLimiter, createCaptchaProvider } = require('@alova/native/server');
const FileStorageAdapter = require('@alova/native/storage-file');

/** Stores the four kinds of record in `l2`, invalidates everything, and checks what is left. */
async function fourKinds(l2, origin, { cacheEntryExists, readByAlova }) {
  let hits = 0;
  const alova = createAlova({
    id: 'spaces',
    baseURL: origin.url,
    requestAdapter: adapterFetch(),
    l2Cache: l2,
    cacheLogger: false,
    responded: (r) => r.json(),
  });
  const get = () => alova.Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } });
  origin.onRequest = () => ++hits;

  // 1. a cache entry
  await get().send();
  const key = get().key;
  assert.ok(await cacheEntryExists(`$a.spaces${key}`), 'cache entry stored under $a.<id><key>');
  if (readByAlova) await readByAlova(origin, () => hits);
  // 2. a rate-limit counter (2 of 3 points used)
  const limit = createRateLimiter({ storage: l2, points: 3, duration: 60_000 });
  const limited = () => limit(alova.Get('/limited'), { key: 'user-1' });
  await limited().consume();
  await limited().consume();
  // 3. a captcha record
  const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({ store: l2, codeSet: () => '4242' });
  await sendCaptcha(() => 'sent', { key: 'phone-1' });
  // 4. a held lock
  await l2.locker.lock('job');

  await invalidateCache();

  assert.equal(await cacheEntryExists(`$a.spaces${key}`), false, 'the cache entry is gone');
  await get().send();
  assert.equal(hits, 2, 'the next request goes to the network');
  const res = await limited().get();
  assert.equal(res.consumedPoints, 2, 'the limiter still counts the two points used');
  await assert.rejects(limited().consume(2), (r) => r.remainingPoints === 0);
  assert.equal(await verifyCaptcha('4242', 'phone-1'), true, 'the captcha record survived');
  return { key };
}

describe('cache invalidation keeps non-cache records', () => {
  let origin;
  before(async () => {
    origin = await startHttpServer((req, res) => {
      if (origin.onRequest) origin.onRequest(req);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  after(() => origin.close());

  describe('Redis adapter', () => {
    const fx = useRedis();

    it('keeps limiter, captcha and lock records through invalidateCache()', async () => {
      const l2 = fx.make({ redlockTTL: 60_000 });
      // alova 3.5.5 itself, with an l2Cache doing what @alova/storage-redis does (JSON under
      // keyPrefix + key), answers from the entry this package wrote.
      const readByAlova = async (server, hits) => {
        const alova = require('alova');
        const alovaFetch = require('alova/fetch');
        const ioAdapter = {
          get: async (k) => JSON.parse((await fx.raw.get(`alova:${k}`)) ?? 'null') ?? undefined,
          set: async (k, v) => fx.raw.set(`alova:${k}`, JSON.stringify(v)),
          remove: async (k) => fx.raw.del(`alova:${k}`),
          clear: () => {},
        };
        const theirs = alova.createAlova({ id: 'spaces', baseURL: server.url, requestAdapter: alovaFetch(), l2Cache: ioAdapter, cacheLogger: false, responded: (r) => r.json() });
        const before = hits();
        assert.deepEqual(await theirs.Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } }).send(), { path: '/data' });
        assert.equal(hits(), before, 'alova read the entry instead of requesting');
      };
      await fourKinds(l2, origin, { cacheEntryExists: async (k) => (await fx.raw.exists(`alova:${k}`)) === 1, readByAlova });
      // The lock is still held: another adapter cannot take it.
      const other = fx.make({ redlockOptions: { retryCount: 0 } });
      await assert.rejects(other.locker.lock('job'), (e) => e.code === 'ERR_ALOVA_LOCKED');
      await l2.locker.unlock('job');
      const keys = (await fx.raw.keys('*')).sort();
      assert.ok(keys.includes('alova:rlflx:user-1'), keys.join());
      assert.ok(!keys.some((k) => k.startsWith('alova:alova-captcha:')), 'verified captcha removed');
    });

    it('clear() sweeps $a. entries and the hit-source index only', async () => {
      const a = fx.make({ keyPrefix: 'sp:' });
      const kinds = ['$a.1["GET","/x",{},null,{}]', 'hss.src', 'hsr.target', '$$hsrs', 'rlflx:k', 'alova-captcha:k', 'other'];
      for (const k of kinds) await a.set(k, [1]);
      await a.clear();
      assert.deepEqual((await fx.raw.keys('sp:*')).sort(), ['sp:alova-captcha:k', 'sp:other', 'sp:rlflx:k']);
    });
  });

  describe('file adapter', () => {
    let dir;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-spaces-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keeps limiter, captcha and lock records through invalidateCache()', async () => {
      const l2 = new FileStorageAdapter({ directory: dir });
      await fourKinds(l2, origin, { cacheEntryExists: async (k) => (await l2.get(k)) !== undefined });
      const other = new FileStorageAdapter({ directory: dir });
      await assert.rejects(other.locker.lock('job'));
      await l2.locker.unlock('job');
      const files = fs.readdirSync(dir);
      assert.ok(files.some((f) => f.startsWith('rlflx')), files.join());
    });
  });
});
