'use strict';
// Soak: a real redis-server, a loopback origin (its own process) and 4 cluster workers that
// keep the whole package busy for N minutes — uncached and cached GETs through the native
// fetch engine, L2 on Redis in restore mode, the process-shared L1, a Redis rate limiter,
// retries and aborts. Every interval it prints, per worker, RSS, heap, event-loop delay and
// operation/error counts; at the end, RSS growth after warm-up and the total of errors.
//
//   npm run soak -- --minutes 10 [--interval 30] [--workers 4] [--concurrency 16]
//   (or SOAK_MINUTES=10). Run it niced on a shared machine: `nice -n 19 npm run soak`.
// Exits 1 when any operation failed unexpectedly.
const cluster = require('node:cluster');
const { monitorEventLoopDelay } = require('node:perf_hooks');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0 && process.argv[i + 1] !== undefined) return Number(process.argv[i + 1]);
  const env = process.env[`SOAK_${name.toUpperCase()}`];
  return env !== undefined ? Number(env) : fallback;
}

const MINUTES = option('minutes', 0.5);
const INTERVAL_S = option('interval', MINUTES >= 5 ? 30 : 5);
const WORKERS = option('workers', 4);
const CONCURRENCY = option('concurrency', 16);
const APP = `soak-${process.pid}`;

if (cluster.isPrimary) primary().catch((err) => {
  console.error(err);
  process.exit(1);
});
else worker().catch((err) => {
  console.error(err);
  process.exit(1);
});

async function primary() {
  const { startRedis } = await import('../__test__/helpers/servers.mjs');
  const { startOrigin } = require('./lib/origin');
  const { createNodePSCSynchronizer } = require('@alova/native/psc');
  const redis = await startRedis();
  const origin = await startOrigin();
  const stopHub = await createNodePSCSynchronizer(APP);
  const env = { SOAK_REDIS_PORT: String(redis.port), SOAK_ORIGIN: origin.url, SOAK_APP: APP };
  console.log(
    `soak: ${MINUTES} min, ${WORKERS} workers × ${CONCURRENCY} loops, redis :${redis.port}, origin ${origin.url}, report every ${INTERVAL_S}s`,
  );
  console.log('t(s)   worker   rss MB  heap MB  eld p50/p99/max ms      ops   errors');

  const rows = new Map(); // worker id → reports
  const workers = [];
  for (let i = 0; i < WORKERS; i++) {
    const w = cluster.fork(env);
    w.on('message', (m) => {
      if (m && m.soak) {
        if (!rows.has(w.id)) rows.set(w.id, []);
        rows.get(w.id).push(m.soak);
        const r = m.soak;
        console.log(
          `${String(r.t).padStart(4)}   #${w.id}      ${r.rss.toFixed(1).padStart(6)}  ${r.heap.toFixed(1).padStart(7)}  ` +
            `${r.eld.map((x) => x.toFixed(1)).join('/').padEnd(20)} ${String(r.ops).padStart(8)}  ${String(r.errors).padStart(6)}`,
        );
      }
    });
    workers.push(w);
  }
  const exits = workers.map((w) => new Promise((resolve) => w.on('exit', (code, signal) => resolve({ id: w.id, code, signal }))));
  const ended = await Promise.all(exits);
  stopHub();
  origin.close();
  await redis.stop();

  console.log('\nsummary');
  let errors = 0;
  for (const [id, list] of rows) {
    const last = list[list.length - 1];
    // Warm-up: the first third of the run (JIT, pools, caches filling).
    const base = list[Math.min(list.length - 1, Math.floor(list.length / 3))];
    const peak = Math.max(...list.map((r) => r.rss));
    errors += last.errors;
    console.log(
      `  #${id}: rss ${base.rss.toFixed(1)} → ${last.rss.toFixed(1)} MB after warm-up (peak ${peak.toFixed(1)}), ` +
        `${last.ops} ops, ${last.errors} errors${last.errors ? ` (${Object.entries(last.kinds).map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`,
    );
  }
  const crashed = ended.filter((e) => e.code !== 0);
  for (const e of crashed) console.log(`  #${e.id} exited with ${e.signal || e.code}`);
  console.log(`  total errors: ${errors}; workers that did not exit cleanly: ${crashed.length}`);
  process.exit(errors || crashed.length ? 1 : 0);
}

async function worker() {
  const { createAlova } = require('@alova/native');
  const adapterFetch = require('@alova/native/fetch');
  const RedisStorageAdapter = require('@alova/native/storage-redis');
  const { createPSCAdapter, NodeSyncAdapter } = require('@alova/native/psc');
  const { createRateLimiter, retry } = require('@alova/native/server');

  const l2 = new RedisStorageAdapter({ host: '127.0.0.1', port: Number(process.env.SOAK_REDIS_PORT) });
  const alova = createAlova({
    baseURL: process.env.SOAK_ORIGIN,
    requestAdapter: adapterFetch(),
    l1Cache: createPSCAdapter(NodeSyncAdapter(undefined, process.env.SOAK_APP)),
    l2Cache: l2,
    cacheFor: null,
    cacheLogger: false,
    responded: (r) => {
      if (r.status >= 400) throw new Error(`status ${r.status}`);
      return r.json();
    },
  });
  const limiter = createRateLimiter({ points: 1e9, duration: 60_000, storage: l2 });

  let ops = 0;
  let errors = 0;
  const kinds = {};
  const fail = (kind, err) => {
    errors++;
    const k = `${kind}: ${(err && (err.code || err.message)) || err}`.slice(0, 80);
    kinds[k] = (kinds[k] || 0) + 1;
  };
  let n = 0;
  const ops$ = [
    // uncached, varying sizes
    () => alova.Get('/json', { params: { size: 256 + (n % 8) * 512, n: n++ }, cacheFor: 0 }).send(),
    // memory cache in the shared L1 (keys cycle, so entries are replaced and expire)
    () => alova.Get('/json', { params: { size: 512, k: n++ % 200 }, cacheFor: 2000 }).send(),
    // L2 on Redis, restore mode
    () => alova.Get('/json', { params: { size: 1024, r: n++ % 100 }, cacheFor: { mode: 'restore', expire: 5000 } }).send(),
    // rate limiter on Redis
    () => limiter(alova.Get('/json', { params: { size: 128 }, cacheFor: 0 }), { key: `w${cluster.worker.id}` }).consume(),
    // retried request
    () => retry(alova.Get('/json', { params: { size: 128, t: n++ }, cacheFor: 0 }), { retry: 2, backoff: { delay: 5 } }).send(),
  ];
  const aborted = async () => {
    const m = alova.Get('/json', { params: { size: 4096, a: n++ }, cacheFor: 0 });
    const p = m.send();
    m.abort();
    await p.then(
      () => {},
      (err) => {
        if (err && err.name !== 'AbortError' && err.code !== 'ERR_ALOVA_ABORTED') throw err;
      },
    );
  };

  const end = Date.now() + MINUTES * 60_000;
  const loop = async (i) => {
    for (let k = i; Date.now() < end; k++) {
      const op = k % 20 === 0 ? aborted : ops$[k % ops$.length];
      try {
        await op();
        ops++;
      } catch (err) {
        fail(op === aborted ? 'abort' : `op${k % ops$.length}`, err);
      }
    }
  };

  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const start = Date.now();
  const report = () => {
    const mem = process.memoryUsage();
    const ms = (x) => x / 1e6;
    process.send({
      soak: {
        t: Math.round((Date.now() - start) / 1000),
        rss: mem.rss / 2 ** 20,
        heap: mem.heapUsed / 2 ** 20,
        eld: [ms(eld.percentile(50)), ms(eld.percentile(99)), ms(eld.max)],
        ops,
        errors,
        kinds,
      },
    });
    eld.reset();
  };
  const timer = setInterval(report, INTERVAL_S * 1000);
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => loop(i)));
  clearInterval(timer);
  report();
  await l2.close?.();
  process.disconnect();
  setTimeout(() => process.exit(0), 200).unref();
}
