'use strict';
// Handing a pino-compatible logger to @alova/native: cache hits at debug, a stale serve and a
// failed Redis read at warn. Any object with debug/info/warn/error(fields, message) works
// (pino itself, or this small JSON-lines one).
// Run: node examples/logger.js
const http = require('node:http');
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');

const jsonLines = {};
for (const level of ['debug', 'info', 'warn', 'error']) {
  jsonLines[level] = (fields, msg) => {
    const { err, ...rest } = fields;
    console.log(JSON.stringify({ level, msg, ...rest, ...(err && { err: err.message }) }));
  };
}

async function main() {
  const origin = http.createServer((req, res) => res.end('{"v":1}'));
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));
  // Port 1: nothing listens, so reads fail (and count as misses).
  const l2Cache = new RedisStorageAdapter({ port: 1, commandTimeout: 200, logger: jsonLines });
  const alova = createAlova({
    baseURL: `http://127.0.0.1:${origin.address().port}`,
    requestAdapter: adapterFetch(),
    responded: (r) => r.json(),
    l2Cache,
    logger: jsonLines,
  });
  const get = () => alova.Get('/v', { cacheFor: { mode: 'restore', expire: 100, staleIfError: 60_000 } });
  await get(); // L2 read fails: warn, then the network
  await get(); // L1 hit: debug
  await new Promise((r) => setTimeout(r, 150));
  origin.closeAllConnections();
  await new Promise((r) => origin.close(r));
  await get(); // expired, origin down: the stale copy, warn
  l2Cache.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
