'use strict';
// The drop-in path as servers run it: a NEW `alova.Get(url, { params }).send()` per request,
// awaited. alova 3.5.5, @alova/native and the hand-written limit of each row side by side in
// one run (undici.request + body.json(), `await Map.get`, node-redis GET + JSON.parse), every
// row with client CPU µs/op (the engine's I/O thread included), ratios printed.
const os = require('node:os');
const path = require('node:path');
const { request: undiciRequest, Agent } = require('undici');
const { createClient } = require('redis');
const { measure, report } = require('./lib/measure');
const { startOrigin } = require('./lib/origin');
const { nodeRedisAdapter, emptyL1 } = require('./lib/adapters');

const ROOT = path.join(__dirname, '..');
const alova = require('alova');
const alovaFetch = require('alova/fetch');
const ours = require(ROOT);
const nativeFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');

const SECONDS = Number(process.env.BENCH_SECONDS || 0.6);
// The machine is shared: the rows of a table are measured in interleaved rounds and each row
// is its round with the median throughput.
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const HIT_BATCH = 10;
const CORE_BATCH = 10;
const ALOVA = 'alova 3.5.5';
const OURS = '@alova/native';
const UNDICI = 'undici.request + json';

/** Measures `clients` ([name, fn] pairs) at `concurrency` in interleaved rounds. */
async function rounds(clients, concurrency) {
  const runs = clients.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [name, fn]] of clients.entries()) runs[i].push(await measure(name, fn, { concurrency, seconds: SECONDS, warmup: 0.2 }));
  }
  return runs.map((list) => list.sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(list.length / 2)]);
}

/** Client CPU per op of each row relative to `baseline` (lower is better). */
function cpuRatios(rows, baseline) {
  for (const r of rows) {
    const base = rows.find((x) => x.name === baseline && x.concurrency === r.concurrency);
    if (base && r !== base) console.log(`cpu/op ${r.name} at ${r.concurrency}: ${(r.cpuUsPerOp / base.cpuUsPerOp).toFixed(2)}× ${baseline}`);
  }
}

const load = () => `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** A request adapter that answers at once: the core's own cost, no HTTP. */
const instantAdapter = () => () => ({
  response: () => Promise.resolve({ id: 1, name: 'alova' }),
  headers: () => Promise.resolve({}),
  abort() {},
});

/** Rows for one HTTP size: alova, ours, undici; each send has its own params (its own key). */
async function httpRows(origin, size, concurrency) {
  const dispatcher = new Agent({ connections: 64 });
  const common = { baseURL: origin.url, responded: (r) => r.json(), cacheFor: null, cacheLogger: false };
  const theirs = alova.createAlova({ ...common, requestAdapter: alovaFetch() });
  const mine = ours.createAlova({ ...common, requestAdapter: nativeFetch() });
  let n = 0;
  const clients = [
    [UNDICI, () => undiciRequest(`${origin.url}/json?size=${size}&n=${n++}`, { dispatcher }).then((r) => r.body.json())],
    [ALOVA, () => theirs.Get('/json', { params: { size, n: n++ } }).send()],
    [OURS, () => mine.Get('/json', { params: { size, n: n++ } }).send()],
  ];
  const rows = await rounds(clients, concurrency);
  mine.destroy();
  theirs.l1Cache.clear?.();
  await dispatcher.close();
  return rows;
}

async function http(origin) {
  for (const size of [200, 100 * 1024]) {
    const rows = [];
    for (const concurrency of [64, 1]) rows.push(...(await httpRows(origin, size, concurrency)));
    const what = size === 200 ? '200 B' : '100 KB';
    report(`uncached GET ${what} JSON, new Method per request, responded: r => r.json() (${load()})`, rows, [UNDICI, ALOVA]);
    cpuRatios(rows, UNDICI);
  }
}

/** L1 hits with a new Method per hit; one op = HIT_BATCH sequential awaited sends. */
async function l1() {
  const rows = [];
  for (const keys of [1, 10_000]) {
    const map = new Map();
    const list = Array.from({ length: keys }, (_, i) => `["GET","/item",{"i":${i}},null,{}]`);
    for (let i = 0; i < keys; i++) map.set(list[i], { id: i });
    let j = 0;
    const clients = [
      [
        `await Map.get ${keys}`,
        async () => {
          for (let k = 0; k < HIT_BATCH; k++) await map.get(list[j++ % keys]);
        },
      ],
    ];
    for (const [name, lib] of [
      [ALOVA, alova],
      [OURS, ours],
    ]) {
      const inst = lib.createAlova({ requestAdapter: instantAdapter(), responded: (r) => r, cacheLogger: false });
      for (let i = 0; i < keys; i++) await inst.Get('/item', { params: { i } }).send();
      let i = 0;
      clients.push([
        `${name} ${keys}`,
        async () => {
          for (let k = 0; k < HIT_BATCH; k++) await inst.Get('/item', { params: { i: i++ % keys } }).send();
        },
      ]);
    }
    rows.push(...(await rounds(clients, 1)));
  }
  report(`L1 hit, new Method per hit; one op = ${HIT_BATCH} awaited sends (${load()})`, rows, [`${ALOVA} 1`, `${ALOVA} 10000`]);
  for (const r of rows) {
    const hps = r.opsPerSec * HIT_BATCH;
    const perCpuSecond = (1e6 * HIT_BATCH) / r.cpuUsPerOp;
    console.log(
      `${r.name.padEnd(22)} ${hps.toFixed(0).padStart(9)} hits/s  ${(r.cpuUsPerOp / HIT_BATCH).toFixed(2)} cpu µs/hit  ${perCpuSecond.toFixed(0).padStart(9)} hits per cpu-second`,
    );
  }
}

/** L2 (Redis) hits in restore mode through an L1 that keeps nothing. */
async function l2(origin) {
  const { startRedis } = await import('../__test__/helpers/servers.mjs');
  const redis = await startRedis();
  const nr = createClient({ url: redis.url });
  await nr.connect();
  const native = new RedisStorageAdapter({ port: redis.port });
  const cacheFor = { GET: { mode: 'restore', expire: 3_600_000 } };
  const common = { baseURL: origin.url, cacheFor, cacheLogger: false, responded: (r) => r.json() };
  const theirs = alova.createAlova({ ...common, id: 'js', requestAdapter: alovaFetch(), l1Cache: emptyL1(), l2Cache: nodeRedisAdapter(nr, 'nr:') });
  const mine = ours.createAlova({ ...common, id: 'ours', requestAdapter: nativeFetch(), l1Cache: emptyL1(), l2Cache: native });
  const url = '/json?size=1024';
  await theirs.Get(url).send();
  await mine.Get(url).send();
  const rawKey = 'nr:' + Object.keys(await nrKeys(nr))[0];
  const clients = [
    ['node-redis GET+parse', async () => JSON.parse(await nr.get(rawKey))],
    [ALOVA + ' + node-redis', () => theirs.Get(url).send()],
    [OURS + ' + native redis', () => mine.Get(url).send()],
  ];
  const rows = [];
  for (const concurrency of [64, 1]) rows.push(...(await rounds(clients, concurrency)));
  report(`L2 Redis hit (restore), new Method per hit, 1 KB entry (${load()})`, rows, ['node-redis GET+parse', ALOVA + ' + node-redis']);
  cpuRatios(rows, 'node-redis GET+parse');
  native.close();
  await nr.quit();
  await redis.stop();
}

async function nrKeys(nr) {
  const out = {};
  for (const k of await nr.keys('nr:*')) out[k.slice(3)] = 0;
  return out;
}

/**
 * The core alone: an adapter that answers at once, uncached, a new Method per send; one op =
 * CORE_BATCH sequential awaited sends, so the harness's own per-op cost (clock reads, latency
 * bookkeeping) is not counted as the core's.
 */
async function core() {
  const clients = [
    [ALOVA, alova],
    [OURS, ours],
  ].map(([name, lib]) => {
    const inst = lib.createAlova({ requestAdapter: instantAdapter(), responded: (r) => r, cacheFor: null, cacheLogger: false });
    let i = 0;
    return [
      name,
      async () => {
        for (let k = 0; k < CORE_BATCH; k++) await inst.Get('/nocache', { params: { a: i++ } }).send();
      },
    ];
  });
  const rows = await rounds(clients, 1);
  report(`core overhead: instant adapter, uncached, new Method per send; one op = ${CORE_BATCH} awaited sends (${load()})`, rows, [ALOVA]);
  for (const r of rows) {
    console.log(`${r.name}: ${(1e6 / r.opsPerSec / CORE_BATCH).toFixed(2)} µs/send wall, ${(r.cpuUsPerOp / CORE_BATCH).toFixed(2)} cpu µs/send`);
  }
}

const parts = { core, l1, http, l2 };

async function main() {
  const only = (process.env.BENCH_ONLY || '').split(',').filter(Boolean);
  console.log(`node ${process.version}, ${os.cpus().length} cpus, ${load()}`);
  const origin = await startOrigin();
  try {
    for (const [name, run] of Object.entries(parts)) if (!only.length || only.includes(name)) await run(origin);
  } finally {
    origin.close();
  }
  console.log(`\n${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
