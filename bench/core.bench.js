'use strict';
// alova 3.5.5 and @alova/native side by side, same run: uncached GET through createAlova + a
// fetch adapter + `responded: r => r.json()`, L1 cache hits (one key, 10k keys), and request
// sharing under 100 identical concurrent sends.
const path = require('node:path');
const { measure, report } = require('./lib/measure');
const { startOrigin } = require('./lib/origin');

const ROOT = path.join(__dirname, '..');
const alova = require('alova');
const alovaFetch = require('alova/fetch');
const ours = require(ROOT);
const ourFetchModule = require('@alova/native/fetch');
const ourFetch = typeof ourFetchModule === 'function' ? ourFetchModule : null;

const SECONDS = Number(process.env.BENCH_SECONDS || 2);
const HIT_BATCH = 10;
const ALOVA = 'alova 3.5.5';
const OURS = '@alova/native';

/** A request adapter that answers at once: isolates the core from any HTTP cost. */
const instantAdapter = () => () => ({
  response: () => Promise.resolve({ id: 1, name: 'alova' }),
  headers: () => Promise.resolve({}),
  abort() {},
});

async function main() {
  const origin = await startOrigin();
  const note = ourFetch
    ? 'ours: @alova/native core + @alova/native/fetch'
    : 'ours: @alova/native core + alova/fetch (@alova/native/fetch exports no adapter in this build)';
  console.log(note);

  // Both libraries over the origin, each with its fetch adapter, uncached.
  const overOrigin = (extra) =>
    [
      [ALOVA, alova, alovaFetch()],
      [OURS, ours, (ourFetch || alovaFetch)()],
    ].map(([name, lib, adapter]) => [
      name,
      lib.createAlova({
        baseURL: origin.url,
        requestAdapter: adapter,
        responded: (r) => r.json(),
        cacheFor: null,
        cacheLogger: false,
        ...extra,
      }),
    ]);

  // Uncached GET, 200 B JSON, 64 concurrent (sharing off so each send is a request).
  const uncached = [];
  for (const [name, inst] of overOrigin({ shareRequest: false })) {
    uncached.push(await measure(name, () => inst.Get('/json', { params: { size: 200 } }).send(), { concurrency: 64, seconds: SECONDS }));
  }
  report('uncached GET /json?size=200 (64 concurrent)', uncached, [ALOVA]);

  // The core's own cost per uncached send: an adapter that answers at once, no HTTP.
  const core = [];
  for (const [name, lib] of [
    [ALOVA, alova],
    [OURS, ours],
  ]) {
    const inst = lib.createAlova({ requestAdapter: instantAdapter(), responded: (r) => r, cacheFor: null, cacheLogger: false });
    core.push(await measure(name, () => inst.Get('/nocache', { params: { a: 1 } }).send(), { seconds: SECONDS }));
    inst.destroy();
  }
  report('uncached send through an instant adapter (core overhead only)', core, [ALOVA]);

  // L1 hits, awaited one at a time: one key, then 10k keys round-robin. One op is a batch of
  // HIT_BATCH sequential awaited sends, so the harness's own per-op cost (clock reads, latency
  // bookkeeping) does not drown the difference; hits/s = ops/s × HIT_BATCH.
  const hits = [];
  for (const [name, lib] of [
    [ALOVA, alova],
    [OURS, ours],
  ]) {
    const inst = lib.createAlova({ requestAdapter: instantAdapter(), responded: (r) => r, cacheLogger: false });
    const one = inst.Get('/one');
    await one.send();
    hits.push(
      await measure(
        `${name} 1 key`,
        async () => {
          for (let k = 0; k < HIT_BATCH; k++) await one.send();
        },
        { seconds: SECONDS },
      ),
    );
    const many = Array.from({ length: 10_000 }, (_, i) => inst.Get('/item', { params: { i } }));
    await Promise.all(many.map((m) => m.send()));
    let i = 0;
    hits.push(
      await measure(
        `${name} 10k keys`,
        async () => {
          for (let k = 0; k < HIT_BATCH; k++) await many[i++ % many.length].send();
        },
        { seconds: SECONDS },
      ),
    );
    inst.destroy();
  }
  report(`L1 cache hit: one op = ${HIT_BATCH} sequential \`await method.send()\``, hits, [`${ALOVA} 1 key`, `${ALOVA} 10k keys`]);
  for (const r of hits) console.log(`${r.name}: ${(r.opsPerSec * HIT_BATCH).toFixed(0)} hits/s, ${(1e6 / (r.opsPerSec * HIT_BATCH)).toFixed(2)} µs/hit`);

  // Request sharing: one op = 100 identical concurrent sends (a real origin behind them).
  const sharing = [];
  for (const [name, inst] of overOrigin({})) {
    const op = () => Promise.all(Array.from({ length: 100 }, () => inst.Get('/json', { params: { size: 200 } }).send()));
    sharing.push(await measure(name, op, { seconds: SECONDS }));
  }
  report('request sharing: 100 identical concurrent sends per op', sharing, [ALOVA]);
  origin.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
