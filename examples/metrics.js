'use strict';
// Serving @alova/native's counters to Prometheus: a real workload on a loopback origin, then
// GET /metrics answers metricsText() (prom-client users can merge metrics() instead).
// Run: node examples/metrics.js
const http = require('node:http');
const { createAlova, metricsText } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const { createRateLimiter } = require('@alova/native/server');

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${server.address().port}`)));

async function main() {
  const origin = http.createServer((req, res) => res.end(JSON.stringify({ path: req.url })));
  const alova = createAlova({ baseURL: await listen(origin), requestAdapter: adapterFetch(), responded: (r) => r.json(), cacheLogger: false });
  // Counting in this process's memory; a RedisStorageAdapter shares the counts between hosts.
  const limit = createRateLimiter({ points: 2, duration: 60_000, storage: alova.l1Cache });

  const exporter = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(metricsText());
  });
  const metricsUrl = await listen(exporter);

  for (let i = 0; i < 3; i++) await alova.Get('/user/1'); // one request, two L1 hits
  for (let i = 0; i < 3; i++) await limit(alova.Post('/order', {}), { key: 'client-a' }).send().catch(() => {});

  const body = await (await fetch(`${metricsUrl}/metrics`)).text();
  const wanted = /^alova_(http_requests_total|l1_hits_total|ratelimit_(consumed|rejected)_total)\{/;
  for (const line of body.split('\n')) if (wanted.test(line)) console.log(line);
  exporter.close();
  origin.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
