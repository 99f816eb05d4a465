'use strict';
// L2 (Redis) cache hits. Raw clients: our native adapter's get vs node-redis and ioredis
// GET + JSON.parse (the limit for a JS adapter). Through alova in `restore` mode with an L1
// that never holds anything, so every send is an L2 hit: alova 3.5.5 with a JS adapter on
// ioredis vs ours (our createAlova when the core provides it, else alova 3.5.5's) with the
// native adapter. One redis-server, one run, ratios printed.
const { measure, report } = require('./lib/measure');
const { startOrigin } = require('./lib/origin');
const Redis = require('ioredis');
const { createClient } = require('redis');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const { ioredisAdapter, emptyL1 } = require('./lib/adapters');

const SECONDS = Number(process.env.BENCH_SECONDS || 2);
const SIZE = 1024;

async function main() {
  const { startRedis } = await import('../__test__/helpers/servers.mjs');
  const redis = await startRedis();
  const origin = await startOrigin();
  const io = new Redis(redis.port, '127.0.0.1');
  const nr = createClient({ url: redis.url });
  await nr.connect();
  const ours = new RedisStorageAdapter({ port: redis.port });

  const payload = [Array.from({ length: 28 }, (_, i) => ({ id: i, name: 'alova', ok: true })), Date.now() + 3_600_000];
  await ours.set('raw', payload);

  const rows = [];
  for (const concurrency of [1, 50]) {
    const opts = { concurrency, seconds: SECONDS };
    rows.push(await measure('native adapter get', () => ours.get('raw'), opts));
    rows.push(await measure('node-redis GET+parse', async () => JSON.parse(await nr.get('alova:raw')), opts));
    rows.push(await measure('ioredis GET+parse', async () => JSON.parse(await io.get('alova:raw')), opts));
  }
  report(`raw L2 read of a ${JSON.stringify(payload).length} B entry`, rows, ['node-redis GET+parse', 'ioredis GET+parse']);

  const alova = require('alova');
  const adapterFetch = require('alova/fetch');
  const core = (() => {
    try {
      return require('..');
    } catch {
      return {};
    }
  })();
  const oursCreate = typeof core.createAlova === 'function' ? core.createAlova : null;
  const oursFetch = (() => {
    try {
      return oursCreate ? require('@alova/native/fetch') : null;
    } catch {
      return null;
    }
  })();
  const cacheFor = { GET: { mode: 'restore', expire: 3_600_000 } };
  const mk = (createAlova, requestAdapter, l2Cache, id) =>
    createAlova({ id, baseURL: origin.url, requestAdapter, l1Cache: emptyL1(), l2Cache, cacheFor, cacheLogger: false, responded: (r) => r.json() });
  const alovaJs = mk(alova.createAlova, adapterFetch(), ioredisAdapter(io), 'js');
  const nativeName = oursCreate ? '@alova/native' : 'alova 3.5.5 + native adapter';
  const alovaOurs = oursCreate
    ? mk(oursCreate, (typeof oursFetch === 'function' ? oursFetch : oursFetch.default)(), ours, 'ours')
    : mk(alova.createAlova, adapterFetch(), ours, 'ours');
  const url = `/json?size=${SIZE}`;
  // First sends fill L2 from the origin.
  await alovaJs.Get(url).send();
  await alovaOurs.Get(url).send();
  const hitRows = [];
  for (const concurrency of [1, 50]) {
    const opts = { concurrency, seconds: SECONDS };
    hitRows.push(await measure('alova 3.5.5 + ioredis adapter', () => alovaJs.Get(url).send(), opts));
    hitRows.push(await measure(nativeName, () => alovaOurs.Get(url).send(), opts));
    hitRows.push(await measure('ioredis GET+parse', async () => JSON.parse(await io.get('alova:raw')), opts));
  }
  report(`L2 hit through createAlova (restore mode, ${SIZE} B response)`, hitRows, ['alova 3.5.5 + ioredis adapter', 'ioredis GET+parse']);

  ours.close();
  io.disconnect();
  await nr.quit();
  await origin.close();
  await redis.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
