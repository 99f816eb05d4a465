'use strict';
// HTTP client cost, side by side against one origin process: undici.request, global fetch,
// alova + alova/fetch, and @alova/native/fetch (raw adapter, and through createAlova when the
// core exports it). Concurrency 1 and 50; 1 KiB and 100 KiB JSON bodies.
const { request: undiciRequest, Agent } = require('undici');
const { measure, report } = require('./lib/measure');
const { startOrigin } = require('./lib/origin');

const SECONDS = Number(process.env.BENCH_SECONDS || 1);
// The machine is shared: clients are measured in interleaved rounds and each row is the
// round with the median throughput.
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);

async function main() {
  const origin = await startOrigin();
  const { createAlova } = require('alova');
  const alovaFetch = require('alova/fetch');
  const nativeFetch = require('@alova/native/fetch');

  const dispatcher = new Agent({ connections: 64 });
  const alova = createAlova({ requestAdapter: alovaFetch(), responded: (r) => r.json(), cacheFor: null, cacheLogger: false });
  const nativeAdapter = nativeFetch();

  // The row for the native core is added once `@alova/native` exports createAlova.
  const core = require('..');
  const nativeAlova =
    typeof core.createAlova === 'function'
      ? core.createAlova({ requestAdapter: nativeFetch(), responded: (r) => r.json(), cacheFor: null, cacheLogger: false })
      : null;

  for (const size of [1024, 100 * 1024]) {
    const url = `${origin.url}/json?size=${size}`;
    const clients = [
      ['undici.request', () => undiciRequest(url, { dispatcher }).then((r) => r.body.json())],
      ['global fetch', () => fetch(url).then((r) => r.json())],
      ['alova + alova/fetch', () => alova.Get(url).send()],
      [
        '@alova/native/fetch adapter',
        () => nativeAdapter({ url, type: 'GET', data: undefined, headers: {} }, { config: {} }).response().then((r) => r.json()),
      ],
    ];
    if (nativeAlova) clients.push(['@alova/native createAlova + native fetch', () => nativeAlova.Get(url).send()]);
    for (const [, fn] of clients) await fn(); // fail fast on a broken client
    const rows = [];
    for (const concurrency of [1, 50]) {
      const rounds = new Map(clients.map(([name]) => [name, []]));
      for (let i = 0; i < ROUNDS; i++) {
        for (const [name, fn] of clients) {
          rounds.get(name).push(await measure(name, fn, { concurrency, seconds: SECONDS, warmup: 0.3 }));
        }
      }
      for (const runs of rounds.values()) {
        runs.sort((a, b) => a.opsPerSec - b.opsPerSec);
        rows.push(runs[Math.floor(runs.length / 2)]);
      }
    }
    report(`GET ${size / 1024} KiB JSON (origin in a child process)`, rows, ['alova + alova/fetch', 'undici.request']);
    console.log('(createAlova rows share identical GETs in flight, alova\'s default: at 50 concurrent, one op is not always one request)');
  }

  await responseClassCost();
  await dispatcher.close();
  origin.close();
}

/** The response handed to `responded`: a real `Response` vs the light class, body in hand. */
async function responseClassCost() {
  const { Source, NativeResponse } = require('../lib/fetch/response');
  const body = Buffer.from(JSON.stringify(Array.from({ length: 25 }, (_, id) => ({ id, name: 'alova', ok: true }))));
  const raw = { status: 200, statusText: 'OK', url: 'http://x/', redirected: false, headers: 'content-type:application/json\ncontent-length:1024\n', body };
  const rows = [
    await measure('new Response(buf) + headers + json()', () => {
      const r = new Response(body, { status: 200, statusText: 'OK', headers: [['content-type', 'application/json'], ['content-length', '1024']] });
      r.headers.get('content-type');
      return r.clone().json();
    }, { seconds: 1 }),
    await measure('NativeResponse + headers + json()', () => {
      const r = new NativeResponse(new Source(raw, 'GET'));
      r.headers.get('content-type');
      return r.clone().json();
    }, { seconds: 1 }),
  ];
  report('response object for a 1 KiB JSON body (no network)', rows, ['new Response(buf) + headers + json()']);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
