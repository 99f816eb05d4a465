// Stale-if-error (`cacheFor.staleIfError`, an extension): through a real outage of a loopback
// origin, in L1 and in a real Redis L2 (restore mode).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpServer, startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const { createAlova, invalidateCache, setCache, queryCache } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');

/** An origin counting its answers; `status` sets the next answers' status. */
async function startOrigin() {
  const o = { hits: 0, status: 200 };
  const srv = await startHttpServer((req, res) => {
    o.hits++;
    res.writeHead(o.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ n: o.hits }));
  });
  return Object.assign(o, { url: srv.url, close: () => srv.close() });
}

const okJson = (r) => {
  if (!r.ok) throw new Error(`status ${r.status}`);
  return r.json();
};

function recordStale() {
  const seen = [];
  const fn = (msg) => seen.push(msg);
  subscribe('alova:cache:stale', fn);
  return { seen, stop: () => unsubscribe('alova:cache:stale', fn) };
}

describe('stale-if-error', () => {
  let n = 0;
  const mk = (origin) =>
    createAlova({ id: `stale${++n}`, baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false, responded: okJson });
  /** Runs `fn(origin, alova)` with a fresh origin and instance; the origin is closed after. */
  async function withOrigin(fn) {
    const origin = await startOrigin();
    try {
      await fn(origin, mk(origin));
    } finally {
      await origin.close();
    }
  }

  it('serves the expired entry within the grace window once the origin is down, and reports it', async () => {
    const origin = await startOrigin();
    const alova = mk(origin);
    const rec = recordStale();
    try {
      const get = () => alova.Get('/a', { cacheFor: { expire: 80, staleIfError: 10_000 } });
      assert.deepEqual(await get(), { n: 1 });
      await sleep(120);
      assert.deepEqual(await get(), { n: 2 }, 'an expired entry is refetched while the origin answers');
      await sleep(120);
      await origin.close();
      const m = get();
      assert.deepEqual(await m, { n: 2 });
      assert.equal(m.fromCache, true);
      assert.equal(rec.seen.length, 1);
      const [msg] = rec.seen;
      assert.equal(msg.layer, 'L1');
      assert.equal(msg.key, m.key);
      assert.ok(msg.expireTs <= Date.now(), 'the entry had expired');
      assert.ok(msg.error instanceof Error);
    } finally {
      rec.stop();
      await origin.close();
    }
  });

  it('leaves the expired entry unreadable for alova: only a failed send sees it', () =>
    withOrigin(async (origin, alova) => {
      const get = () => alova.Get('/b', { cacheFor: { expire: 60, staleIfError: 10_000 } });
      await get();
      assert.deepEqual(await queryCache(get()), { n: 1 });
      await sleep(100);
      assert.equal(await queryCache(get()), undefined);
      const stored = alova.l1Cache.get(`$a.${alova.id}${get().key}`);
      assert.equal(stored, undefined, 'the entry itself expired as alova stores it');
    }));

  it('serves stale when `responded` throws (the origin answers 503)', () =>
    withOrigin(async (origin, alova) => {
      const get = () => alova.Get('/c', { cacheFor: { expire: 50, staleIfError: 10_000 } });
      await get();
      await sleep(80);
      origin.status = 503;
      const m = get();
      assert.deepEqual(await m, { n: 1 });
      assert.equal(m.fromCache, true);
      assert.equal(origin.hits, 2, 'the origin was asked');
    }));

  it('fails as before after the grace window, without the option, and after invalidation', () =>
    withOrigin(async (origin, alova) => {
      const short = () => alova.Get('/d', { cacheFor: { expire: 40, staleIfError: 40 } });
      const plain = () => alova.Get('/e', { cacheFor: 40 });
      const dropped = () => alova.Get('/f', { cacheFor: { expire: 40, staleIfError: 10_000 } });
      await Promise.all([short(), plain(), dropped()]);
      await invalidateCache(dropped());
      await sleep(120);
      origin.status = 500;
      for (const get of [short, plain, dropped]) {
        await assert.rejects(get(), /status 500/);
      }
    }));

  it('a hit-source invalidation removes the grace copy', () =>
    withOrigin(async (origin, alova) => {
      const get = () => alova.Get('/i', { cacheFor: { expire: 40, staleIfError: 10_000 }, hitSource: 'save' });
      await get();
      await alova.Post('/save', {}, { name: 'save' });
      await sleep(80);
      origin.status = 500;
      await assert.rejects(get(), /status 500/);
    }));

  it('works from createAlova\'s per-type cacheFor; an aborted send is not served stale', async () => {
    const origin = await startOrigin();
    try {
      const alova = createAlova({
        baseURL: origin.url,
        requestAdapter: adapterFetch(),
        cacheLogger: false,
        responded: okJson,
        cacheFor: { GET: { expire: 40, staleIfError: 10_000 } },
      });
      await alova.Get('/j');
      await sleep(80);
      const aborted = alova.Get('/j');
      const sent = aborted.send();
      aborted.abort();
      await assert.rejects(sent, { name: 'AbortError' });
      await origin.close();
      const m = alova.Get('/j');
      assert.deepEqual(await m, { n: 1 });
      assert.equal(m.fromCache, true);
    } finally {
      await origin.close();
    }
  });

  it('setCache writes the grace copy too', () =>
    withOrigin(async (origin, alova) => {
      const get = () => alova.Get('/g', { cacheFor: { expire: 40, staleIfError: 10_000 } });
      await setCache(get(), { n: 'set' });
      await sleep(80);
      await origin.close();
      assert.deepEqual(await get(), { n: 'set' });
      assert.equal(origin.hits, 0);
    }));

  it('refuses a staleIfError that is not a finite number of ms', () =>
    withOrigin(async (origin, alova) => {
      for (const bad of [-1, NaN, Infinity, '100']) {
        await assert.rejects(alova.Get('/h', { cacheFor: { expire: 40, staleIfError: bad } }), (e) => {
          assert.equal(e.code, 'ERR_ALOVA_INVALID_ARG');
          assert.equal(e.name, '[alova]');
          assert.match(e.message, /staleIfError/);
          return true;
        });
      }
      assert.equal(origin.hits, 0);
    }));

  describe('with a Redis L2 (restore mode)', () => {
    let redis;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis.stop();
    });

    it('a new process (empty L1) serves the grace copy from Redis while the origin is down', async () => {
      const origin = await startOrigin();
      const l2Cache = new RedisStorageAdapter({ port: redis.port });
      const rec = recordStale();
      const mkShared = () =>
        createAlova({ id: 'stale-l2', baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false, responded: okJson, l2Cache });
      const get = (alova) => alova.Get('/r', { cacheFor: { mode: 'restore', expire: 300, staleIfError: 60_000, tag: 'v1' } });
      try {
        const first = mkShared();
        assert.deepEqual(await get(first), { n: 1 });
        // The entry keeps alova's shape and expiry; the grace copy lives longer.
        const entry = await l2Cache.get(`$a.stale-l2${get(first).key}`);
        assert.equal(entry.length, 3);
        assert.deepEqual(entry[0], { n: 1 });
        assert.ok(entry[1] - Date.now() <= 300);
        assert.equal(entry[2], 'v1');
        await sleep(350);
        await origin.close();
        const second = mkShared();
        const m = get(second);
        assert.deepEqual(await m, { n: 1 });
        assert.equal(m.fromCache, true);
        assert.deepEqual(rec.seen.map((x) => x.layer), ['L2']);
      } finally {
        rec.stop();
        l2Cache.close();
        await origin.close();
      }
    });

    it('with Redis down too, the failure is the origin error', async () => {
      const origin = await startOrigin();
      const l2Cache = new RedisStorageAdapter({ port: redis.port, commandTimeout: 200 });
      const get = (alova) => alova.Get('/s', { cacheFor: { mode: 'restore', expire: 50, staleIfError: 60_000 } });
      const mkShared = () =>
        createAlova({ id: 'stale-l2-down', baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false, responded: okJson, l2Cache });
      try {
        await get(mkShared());
        await sleep(80);
        origin.status = 502;
        await redis.stop();
        await assert.rejects(get(mkShared()), /status 502/);
      } finally {
        l2Cache.close();
        await origin.close();
        await redis.restart();
      }
    });
  });
});
