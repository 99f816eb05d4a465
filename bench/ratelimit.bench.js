'use strict';
// Rate-limit checks per second, memory and Redis stores: @alova/native vs
// rate-limiter-flexible vs alova 3.5.5's limiter, and how many of 1000 concurrent consumes
// each lets through with 100 points (the right answer is 100).
const { measure, report } = require('./lib/measure');
const { spawn } = require('node:child_process');
const net = require('node:net');
const Redis = require('ioredis');
const { RateLimiterMemory, RateLimiterRedis } = require('rate-limiter-flexible');
const native = require('@alova/native');
const { createRateLimiter } = require('@alova/native/server');
const { L1Cache } = native;
const alova = require('alova');
const alovaServer = require('alova/server');

const SECONDS = Number(process.env.BENCH_SECONDS || 2);
const adapter = () => ({ response: async () => 1, headers: async () => ({}), abort() {} });

/** How many of `n` concurrent calls of `consume()` resolve. */
async function allowed(consume, n = 1000) {
  const r = await Promise.allSettled(Array.from({ length: n }, () => consume()));
  return r.filter((x) => x.status === 'fulfilled').length;
}

/** A JS Redis adapter over ioredis, the way alova users wire one (also used by alova's row). */
function jsRedisAdapter(client) {
  return {
    async get(k) {
      const v = await client.get(k);
      return v ? JSON.parse(v) : undefined;
    },
    async set(k, v) {
      const ttl = Array.isArray(v) && typeof v[1] === 'number' ? v[1] - Date.now() : 0;
      if (ttl > 0) await client.set(k, JSON.stringify(v), 'PX', Math.ceil(ttl));
      else if (!(Array.isArray(v) && typeof v[1] === 'number')) await client.set(k, JSON.stringify(v));
    },
    async remove(k) {
      await client.del(k);
    },
    async clear() {},
    eval: undefined,
  };
}

async function startRedis() {
  const port = await new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => net.connect(port, '127.0.0.1').once('connect', function () { this.end(); r(true); }).once('error', () => r(false)));
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}

/** Our Redis store: the package's RedisStorageAdapter when available. */
function ourRedisStorage(port) {
  try {
    const RedisStorageAdapter = require('@alova/native/storage-redis');
    const Cls = RedisStorageAdapter.default || RedisStorageAdapter;
    if (typeof Cls === 'function') return { storage: new Cls({ url: `redis://127.0.0.1:${port}` }), name: 'RedisStorageAdapter' };
  } catch {
    // fall through
  }
  throw new Error('@alova/native/storage-redis is not available');
}

async function main() {
  const ours = native.createAlova({ requestAdapter: adapter });
  const theirs = alova.createAlova({ requestAdapter: adapter });
  const BIG = 1e12;
  let n = 0;

  // ---- memory
  const rows = [];
  const mem = {
    'ours (native)': () => createRateLimiter({ points: BIG, duration: 60_000, storage: new L1Cache() })(ours.Get('/'), { key: 'k' }),
    'alova 3.5.5': () => alovaServer.createRateLimiter({ points: BIG, duration: 60_000, storage: theirs.l1Cache })(theirs.Get('/'), { key: 'k' }),
  };
  const memAllowed = {};
  for (const [name, make] of Object.entries(mem)) {
    const lm = make();
    rows.push(await measure(name, () => lm.consume(), { seconds: SECONDS }));
    const fresh = name.startsWith('ours') ? createRateLimiter({ points: 100, duration: 60_000, storage: new L1Cache() })(ours.Get('/'), { key: 'x' }) : alovaServer.createRateLimiter({ points: 100, duration: 60_000, storage: theirs.l1Cache })(theirs.Get('/'), { key: `x${n++}` });
    memAllowed[name] = await allowed(() => fresh.consume());
  }
  const rlfMem = new RateLimiterMemory({ points: BIG, duration: 60 });
  rows.push(await measure('rate-limiter-flexible', () => rlfMem.consume('k'), { seconds: SECONDS }));
  const rlfMem100 = new RateLimiterMemory({ points: 100, duration: 60 });
  memAllowed['rate-limiter-flexible'] = await allowed(() => rlfMem100.consume('x'));
  for (const r of rows) r.name = `${r.name} [${memAllowed[r.name]}/1000 allowed]`;
  report('rate limit, memory store: consume() awaited, 1 in flight; [allowed of 1000 concurrent, 100 points]', rows, [rows[2].name]);

  // ---- redis
  const redis = await startRedis();
  const client = new Redis({ port: redis.port, host: '127.0.0.1' });
  const clientB = new Redis({ port: redis.port, host: '127.0.0.1' });
  try {
    const { storage } = ourRedisStorage(redis.port);
    const rrows = [];
    const rAllowed = {};
    const oursR = createRateLimiter({ points: BIG, duration: 60_000, storage })(ours.Get('/'), { key: 'k' });
    const rlfR = new RateLimiterRedis({ storeClient: client, points: BIG, duration: 60, keyPrefix: 'rlfb' });
    const alovaStorage = jsRedisAdapter(clientB);
    const alovaR = alovaServer.createRateLimiter({ points: BIG, duration: 60_000, storage: alovaStorage })(theirs.Get('/'), { key: 'k' });
    for (const C of [1, 64]) {
      rrows.push(await measure('ours (RedisStorageAdapter)', () => oursR.consume(), { concurrency: C, seconds: SECONDS }));
      rrows.push(await measure('rate-limiter-flexible (ioredis)', () => rlfR.consume('k'), { concurrency: C, seconds: SECONDS }));
      rrows.push(await measure('alova 3.5.5 (ioredis JS adapter)', () => alovaR.consume(), { concurrency: C, seconds: SECONDS }));
    }
    rAllowed['ours (RedisStorageAdapter)'] = await allowed(() => createRateLimiter({ points: 100, duration: 60_000, storage })(ours.Get('/'), { key: 'x' }).consume());
    const rlfR100 = new RateLimiterRedis({ storeClient: client, points: 100, duration: 60, keyPrefix: 'rlfx' });
    rAllowed['rate-limiter-flexible (ioredis)'] = await allowed(() => rlfR100.consume('x'));
    rAllowed['alova 3.5.5 (ioredis JS adapter)'] = await allowed(() => alovaServer.createRateLimiter({ points: 100, duration: 60_000, storage: alovaStorage })(theirs.Get('/'), { key: 'x' }).consume());
    for (const r of rrows) r.name = `${r.name} [${rAllowed[r.name]}/1000 allowed]`;
    report('rate limit, Redis store: consume() awaited; [allowed of 1000 concurrent, 100 points]', rrows, [rrows[1].name]);
    if (storage.close) await storage.close();
  } catch (e) {
    console.log(`\n(Redis rows skipped: ${e.message})`);
  } finally {
    client.disconnect();
    clientB.disconnect();
    redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
