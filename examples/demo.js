'use strict';
// A small Node service on @alova/native. It is written exactly as for alova: the drop-in
// test (__test__/install/dropin.test.mjs) runs it on alova 3.5.5 by changing only its imports.
const http = require('node:http');
const { createAlova, invalidateCache, queryCache } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');

async function main() {
  // The upstream this service calls: a local JSON API.
  let hits = 0;
  const upstream = http.createServer((req, res) => {
    hits++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      const url = new URL(req.url, 'http://x');
      res.end(JSON.stringify({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: body ? JSON.parse(body) : null }));
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));

  const alova = createAlova({
    baseURL: `http://127.0.0.1:${upstream.address().port}`,
    requestAdapter: adapterFetch(),
    cacheLogger: false,
    timeout: 5000,
    beforeRequest(method) {
      method.config.headers['x-service'] = 'demo';
    },
    responded: {
      onSuccess: (response) => response.json(),
      onError: (error) => {
        throw error;
      },
    },
  });

  const getUser = (id) => alova.Get('/users', { params: { id }, cacheFor: 60_000 });

  const first = await getUser(7);
  const m = getUser(7);
  const second = await m;
  console.log('GET /users?id=7 ->', JSON.stringify(first));
  console.log('second call served from cache:', m.fromCache, 'same data:', JSON.stringify(second) === JSON.stringify(first));

  const created = await alova.Post('/users', { name: 'Ada' });
  console.log('POST /users ->', JSON.stringify(created));

  console.log('cached before invalidate:', JSON.stringify(await queryCache(getUser(7))));
  await invalidateCache(getUser(7));
  console.log('cached after invalidate:', JSON.stringify(await queryCache(getUser(7))));

  const shared = await Promise.all([getUser(8), getUser(8), getUser(8)]);
  console.log('3 concurrent identical GETs ->', shared.length, 'results; upstream requests so far:', hits);

  upstream.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
