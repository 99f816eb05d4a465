'use strict';
// A rate-limited endpoint that keeps working when Redis is down (the insurance limiter counts
// in memory meanwhile) and answers with RateLimit-* / Retry-After headers.
// Run: node examples/rate-limit-insurance.js   (no Redis needed: the one it names is absent)
const http = require('node:http');
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const { createRateLimiter } = require('@alova/native/server');

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

async function main() {
  const upstream = http.createServer((req, res) => res.end('{"created":true}'));
  const alova = createAlova({ baseURL: await listen(upstream), requestAdapter: adapterFetch(), cacheLogger: false, responded: (r) => r.json() });

  // Port 1: nothing listens, as when Redis is down.
  const redis = new RedisStorageAdapter({ port: 1, commandTimeout: 200 });
  const limit = createRateLimiter({
    points: 3,
    duration: 10_000,
    storage: redis,
    insuranceLimiter: createRateLimiter({ points: 2, duration: 10_000 }),
  });

  const service = http.createServer(async (req, res) => {
    const limited = limit(alova.Post('/orders', {}), { key: req.socket.remoteAddress });
    try {
      const quota = await limited.consume();
      const body = await alova.Post('/orders', {});
      res.writeHead(200, limited.headers(quota)).end(JSON.stringify(body));
    } catch (err) {
      if (err instanceof Error) res.writeHead(500).end(err.message);
      else res.writeHead(429, limited.headers(err)).end('too many requests');
    }
  });
  const url = await listen(service);

  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${url}/order`, { method: 'POST' });
    const h = Object.fromEntries([...r.headers].filter(([k]) => k.startsWith('ratelimit') || k === 'retry-after'));
    console.log(r.status, h);
  }
  redis.close();
  service.close();
  upstream.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
