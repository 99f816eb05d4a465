// Bad input to @alova/native/fetch: a clear coded error from the request, never a crash, and
// the adapter keeps working afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer } from '../helpers/servers.mjs';

let server;
before(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/large') return res.end(Buffer.alloc(10_000, 'l'));
    if (req.url === '/large-chunked') {
      res.write(Buffer.alloc(3_000_000, 'c'));
      return res.end();
    }
    res.end('fine');
  });
});
after(() => server.close());

const adapter = adapterFetch();
const call = (url, { type = 'GET', data, headers = {}, use = adapter } = {}) =>
  use({ url, type, data, headers }, { config: {} }).response();

async function rejectsWith(promise, code) {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e) => e,
  );
  assert.equal(err.code, code, err.message);
  assert.equal(err.name, '[alova/fetch]');
  assert.ok(err.message.length > 10);
  return err;
}

test('malformed URLs and unsupported schemes', async () => {
  assert.match((await rejectsWith(call('not a url'), 'ERR_ALOVA_INVALID_ARG')).message, /invalid URL/);
  assert.match((await rejectsWith(call('ftp://127.0.0.1/x'), 'ERR_ALOVA_INVALID_ARG')).message, /scheme/);
  await rejectsWith(call('file:///etc/passwd'), 'ERR_ALOVA_INVALID_ARG');
  await rejectsWith(call('http://'), 'ERR_ALOVA_INVALID_ARG');
});

test('CR/LF or invalid characters in header names and values', async () => {
  await rejectsWith(call(server.url, { headers: { 'x-a': 'v\r\nx-injected: 1' } }), 'ERR_ALOVA_INVALID_ARG');
  await rejectsWith(call(server.url, { headers: { 'x-a\nb': 'v' } }), 'ERR_ALOVA_INVALID_ARG');
  await rejectsWith(call(server.url, { headers: { 'bad name': 'v' } }), 'ERR_ALOVA_INVALID_ARG');
  await rejectsWith(call(server.url, { type: 'BAD METHOD' }), 'ERR_ALOVA_INVALID_ARG');
});

test('bodies that cannot be serialised, and bodies on GET', async () => {
  const circular = {};
  circular.self = circular;
  await rejectsWith(call(server.url, { type: 'POST', data: circular }), 'ERR_ALOVA_BODY');
  await rejectsWith(call(server.url, { type: 'POST', data: { n: 1n } }), 'ERR_ALOVA_BODY');
  await assert.rejects(call(server.url, { type: 'GET', data: 'x' }), (err) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.message, 'Request with GET/HEAD method cannot have body.');
    return true;
  });
});

test('responses over maxResponseSize, by Content-Length or while streaming', async () => {
  const limited = adapterFetch({ maxResponseSize: 1000 });
  await rejectsWith(call(server.url + '/large', { use: limited }), 'ERR_ALOVA_BODY_TOO_LARGE');
  const streamLimited = adapterFetch({ maxResponseSize: 1_000_000 });
  const got = call(server.url + '/large-chunked', { use: streamLimited }).then((r) => r.arrayBuffer());
  await rejectsWith(got, 'ERR_ALOVA_BODY_TOO_LARGE');
  assert.equal(await (await call(server.url, { use: limited })).text(), 'fine');
});

test('bad adapter options throw at creation', () => {
  assert.throws(() => adapterFetch({ maxRedirects: -1 }), { code: 'ERR_ALOVA_INVALID_ARG' });
  assert.throws(() => adapterFetch({ maxResponseSize: 'big' }), { code: 'ERR_ALOVA_INVALID_ARG' });
  assert.throws(() => adapterFetch({ proxy: 'http://[::1' }), { code: 'ERR_ALOVA_INVALID_ARG' });
});

test('an option adapterFetch does not have is refused by name, not ignored', () => {
  for (const name of ['timeout', 'dispatcher', 'maxConnections']) {
    assert.throws(() => adapterFetch({ [name]: 1 }), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && e.message.includes(`\`${name}\``));
  }
  assert.throws(() => adapterFetch({ customFetch: fetch, timeout: 1 }), { code: 'ERR_ALOVA_UNSUPPORTED' });
  assert.equal(typeof adapterFetch({ customFetch: fetch }), 'function');
  assert.equal(typeof adapterFetch({}), 'function');
  assert.equal(typeof adapterFetch(null), 'function', 'null is no options, as undefined');
  for (const bad of ['ca', 42, NaN, Infinity, true]) assert.throws(() => adapterFetch(bad), { code: 'ERR_ALOVA_INVALID_ARG' });
});

test('config values of the wrong type', async () => {
  const h = (config) => adapter({ url: server.url, type: 'GET', headers: {} }, { config }).response();
  assert.equal(await (await h({ timeout: '5000' })).text(), 'fine', 'a numeric string timeout works as in alova');
  await rejectsWith(h({ redirect: 'sideways' }), 'ERR_ALOVA_INVALID_ARG');
  await rejectsWith(h({ redirect: 42 }), 'ERR_ALOVA_INVALID_ARG');
});

test('failures nobody asks about do not become unhandled rejections', async () => {
  adapter({ url: 'not a url', type: 'GET', headers: {} }, { config: {} });
  adapter({ url: server.url, type: 'GET', headers: {} }, { config: {} }).abort();
  await new Promise((resolve) => setTimeout(resolve, 50));
});

test('the adapter still works after all of the above', async () => {
  assert.equal(await (await call(server.url)).text(), 'fine');
});
