// HTTPS with a certificate from a throwaway CA: rejected by default, accepted with `ca`, or
// with `rejectUnauthorized: false`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer } from '../helpers/servers.mjs';
import { loadCertificates } from '../helpers/fetch-tls.mjs';

let server;
let certs;

before(async () => {
  certs = loadCertificates();
  // HTTP/2 with HTTP/1.1 fallback: the engine negotiates h2 through ALPN.
  const tls = http2.createSecureServer({ key: certs.key, cert: certs.cert, allowHTTP1: true }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ secure: true, httpVersion: req.httpVersion }));
  });
  server = await startHttpServer(null, { server: tls });
});
after(() => server.close());

const get = (adapter) => adapter({ url: server.url + '/', type: 'GET', headers: {} }, { config: {} }).response();

test('an unknown CA is rejected by default with a network error naming the certificate', async () => {
  const err = await get(adapterFetch()).catch((e) => e);
  assert.ok(err instanceof TypeError);
  assert.equal(err.message, 'fetch failed');
  assert.equal(err.code, 'ERR_ALOVA_NETWORK');
  assert.match(err.cause.message, /certificate/i);
});

test('the `ca` option trusts the test CA (string, Buffer or array); HTTP/2 is negotiated', async () => {
  for (const ca of [certs.ca, Buffer.from(certs.ca), [certs.ca]]) {
    const r = await get(adapterFetch({ ca }));
    assert.deepEqual(await r.json(), { secure: true, httpVersion: '2.0' });
  }
});

test('rejectUnauthorized: false accepts any certificate', async () => {
  const r = await get(adapterFetch({ rejectUnauthorized: false }));
  assert.equal((await r.json()).secure, true);
});

test('a malformed `ca` fails at adapter creation with a coded error', () => {
  assert.throws(() => adapterFetch({ ca: 'not a certificate' }), { code: 'ERR_ALOVA_INVALID_ARG' });
  assert.throws(() => adapterFetch({ ca: 42 }), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/fetch]' });
});
