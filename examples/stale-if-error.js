'use strict';
// Stale-if-error: an expired entry is served for a grace window when its origin fails.
// Run: node examples/stale-if-error.js
const http = require('node:http');
const { subscribe } = require('node:diagnostics_channel');
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');

async function main() {
  let price = 100;
  const origin = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ price: price++ }));
  });
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));

  const alova = createAlova({
    baseURL: `http://127.0.0.1:${origin.address().port}`,
    requestAdapter: adapterFetch(),
    cacheLogger: false,
    responded: (r) => {
      if (!r.ok) throw new Error(`origin answered ${r.status}`);
      return r.json();
    },
  });
  // Fresh for 200 ms; served for 60 s more if the origin fails meanwhile.
  const getPrice = () => alova.Get('/price', { cacheFor: { expire: 200, staleIfError: 60_000 } });

  subscribe('alova:cache:stale', ({ key, layer, expireTs, error }) => {
    console.log(`stale ${layer} entry for ${key} (expired ${Date.now() - expireTs} ms ago) after: ${error.message}`);
  });

  console.log('fresh:', await getPrice());
  await new Promise((r) => setTimeout(r, 300));
  origin.closeAllConnections();
  await new Promise((r) => origin.close(r));

  const method = getPrice();
  console.log('origin down, served:', await method, 'fromCache:', method.fromCache);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
