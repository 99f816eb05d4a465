// @alova/native/fetch against a loopback node:http server: module shape, alova's header and
// body rules, bodies of each kind, the Response API, and use through createAlova.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { createAlova } from 'alova';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer, readBody } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
let server;
const adapter = adapterFetch();

/** Echoes method, url, headers and body (base64) as JSON; a few paths answer specially. */
async function handler(req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/text') {
    res.writeHead(201, 'Made It', { 'content-type': 'text/plain; charset=utf-8', 'set-cookie': ['a=1', 'b=2'], 'x-multi': ['1', '2'] });
    return res.end('\ufeffhello wörld');
  }
  if (url.pathname === '/status') {
    res.writeHead(Number(url.searchParams.get('code')));
    return res.end(url.searchParams.get('body') || '');
  }
  if (url.pathname === '/big') {
    const size = Number(url.searchParams.get('size'));
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 'z');
    let left = size;
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(chunk.subarray(0, n))) return res.once('drain', write);
      }
      res.end();
    };
    return write();
  }
  if (url.pathname === '/compressed') {
    const enc = url.searchParams.get('enc');
    const plain = Buffer.from(JSON.stringify({ enc, filler: 'x'.repeat(2000) }));
    const packed = { gzip: zlib.gzipSync, br: zlib.brotliCompressSync, deflate: zlib.deflateSync }[enc](plain);
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': enc });
    return res.end(packed);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('base64') }));
}

before(async () => {
  server = await startHttpServer(handler);
});
after(() => server.close());

const send = (type, path, data, headers = {}, config = {}) =>
  adapter({ url: server.url + path, type, data, headers }, { config });
const echo = async (...args) => {
  const r = await send(...args).response();
  const j = await r.json();
  j.body = Buffer.from(j.body, 'base64');
  return j;
};

test('CommonJS entry is the factory with default and __esModule, like alova/fetch', () => {
  const cjs = require('@alova/native/fetch');
  assert.equal(typeof cjs, 'function');
  assert.equal(cjs.default, cjs);
  assert.equal(cjs.__esModule, true);
  assert.equal(adapterFetch, cjs);
  const handle = cjs()({ url: 'http://127.0.0.1:1/', type: 'GET', data: undefined, headers: {} }, { config: {} });
  for (const k of ['response', 'headers', 'abort', 'onDownload', 'onUpload']) assert.equal(typeof handle[k], 'function');
  handle.abort();
  return assert.rejects(handle.response(), { name: 'AbortError' });
});

test('methods are sent as given, standard ones upper-cased', async () => {
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    assert.equal((await echo(m, '/m')).method, m);
  }
  assert.equal((await echo('post', '/m', 'x')).method, 'POST');
  const head = await send('HEAD', '/m').response();
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  assert.equal(await head.text(), '');
});

test('Content-Type defaults to JSON, even on GET, unless a header name contains content-type', async () => {
  const headers = {};
  assert.equal((await echo('GET', '/', undefined, headers)).headers['content-type'], 'application/json; charset=UTF-8');
  assert.equal(headers['Content-Type'], 'application/json; charset=UTF-8', 'the method headers object is mutated');
  const own = await echo('POST', '/', 'a=1', { 'content-TYPE': 'text/x-custom' });
  assert.equal(own.headers['content-type'], 'text/x-custom');
  // alova tests the joined names, so X-Content-Type-Options also counts.
  const other = await echo('POST', '/', 'plain', { 'X-Content-Type-Options': 'nosniff' });
  assert.equal(other.headers['content-type'], 'text/plain;charset=UTF-8');
});

test("headers valued '', undefined, null or false are dropped; 0 is sent", async () => {
  const headers = { 'Content-Type': null, a: '', b: undefined, c: false, d: 0, e: 'x' };
  const got = await echo('POST', '/', 'body', headers);
  assert.deepEqual(Object.keys(headers), ['d', 'e']);
  assert.equal(got.headers.d, '0');
  assert.equal(got.headers.e, 'x');
  for (const k of ['a', 'b', 'c']) assert.equal(got.headers[k], undefined);
  assert.equal(got.headers['content-type'], 'text/plain;charset=UTF-8', 'inferred like fetch once the default is suppressed');
});

test('bodies: string, JSON object, binary, URLSearchParams, FormData, Blob, ReadableStream', async () => {
  assert.equal((await echo('POST', '/', 'plain text')).body.toString(), 'plain text');
  const obj = await echo('POST', '/', { a: [1, 'two'], n: null });
  assert.deepEqual(JSON.parse(obj.body), { a: [1, 'two'], n: null });
  assert.equal((await echo('POST', '/', 42)).body.toString(), '42');
  assert.equal((await echo('POST', '/', null)).body.toString(), 'null');

  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  assert.deepEqual((await echo('PUT', '/', bytes)).body, bytes, 'Buffer sent as binary');
  assert.deepEqual((await echo('PUT', '/', new Uint8Array(bytes))).body, bytes);
  assert.deepEqual((await echo('PUT', '/', new Uint16Array([0x0201]))).body, Buffer.from([1, 2]));
  assert.deepEqual((await echo('PUT', '/', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 5))).body, bytes);

  const form = await echo('POST', '/', new URLSearchParams({ q: 'a b&c', n: '1' }), { 'Content-Type': null });
  assert.equal(form.body.toString(), 'q=a+b%26c&n=1');
  assert.equal(form.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');

  const fd = new FormData();
  fd.append('name', 'alova');
  fd.append('file', new Blob(['file-content'], { type: 'text/plain' }), 'a.txt');
  const multi = await echo('POST', '/', fd);
  assert.match(multi.headers['content-type'], /^multipart\/form-data; boundary=/);
  const parsed = await new Response(multi.body, { headers: { 'content-type': multi.headers['content-type'] } }).formData();
  assert.equal(parsed.get('name'), 'alova');
  assert.equal(await parsed.get('file').text(), 'file-content');

  const blob = await echo('POST', '/', new Blob(['blob-body'], { type: 'application/x-blob' }), { 'Content-Type': null });
  assert.equal(blob.body.toString(), 'blob-body');
  assert.equal(blob.headers['content-type'], 'application/x-blob');

  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('stream-'));
      c.enqueue(new TextEncoder().encode('body'));
      c.close();
    },
  });
  assert.equal((await echo('POST', '/', stream)).body.toString(), 'stream-body');
});

test('the response: status, statusText, ok, url, headers, text with BOM removed, clone, bodyUsed', async () => {
  const handle = send('GET', '/text');
  const r = await handle.response();
  assert.ok(r instanceof Response);
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Made It', 'the reason phrase the server sent');
  assert.equal(r.ok, true);
  assert.equal(r.url, server.url + '/text');
  assert.equal(r.redirected, false);
  assert.equal(r.type, 'basic');
  assert.ok(r.headers instanceof Headers);
  assert.equal(r.headers.get('Content-Type'), 'text/plain; charset=utf-8');
  assert.equal(r.headers.get('x-multi'), '1, 2');
  assert.deepEqual(r.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(r.headers.has('X-MULTI'), true);
  // Same names in the same order as the platform's Headers; Node 18's Headers yields
  // `set-cookie` once where the current spec (and ours) yields it per cookie.
  const names = (h) => [...new Set(h.keys())];
  assert.deepEqual(names(new Headers(r.headers)), names(r.headers));
  assert.deepEqual([...r.headers.keys()].filter((k) => k === 'set-cookie'), ['set-cookie', 'set-cookie']);
  assert.throws(() => r.headers.set('a', 'b'), TypeError);
  const copy = r.clone();
  assert.equal(await r.text(), 'hello wörld');
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.throws(() => r.clone(), TypeError);
  assert.deepEqual(Buffer.from(await copy.arrayBuffer()).subarray(0, 3), Buffer.from([0xef, 0xbb, 0xbf]));
  const blob = await (await handle.response()).blob();
  assert.equal(blob.type, 'text/plain; charset=utf-8');
  const chunks = [];
  for await (const c of (await handle.response()).body) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString().slice(1), 'hello wörld');
  assert.equal((await handle.headers()).get('x-multi'), '1, 2');
});

test('non-2xx responses resolve; ok is false', async () => {
  const r = await send('GET', '/status?code=404&body=nope').response();
  assert.equal(r.status, 404);
  assert.equal(r.ok, false);
  assert.equal(await r.text(), 'nope');
  const empty = await send('GET', '/status?code=204').response();
  assert.equal(empty.body, null);
});

test('large bodies stream; every response() reads the whole body independently', async () => {
  const size = 3 * 1024 * 1024 + 123;
  const handle = send('GET', `/big?size=${size}`);
  const [a, b] = await Promise.all([handle.response(), handle.response()]);
  let streamed = 0;
  for await (const c of a.body) streamed += c.byteLength;
  assert.equal(streamed, size);
  const buf = Buffer.from(await b.arrayBuffer());
  assert.equal(buf.length, size);
  assert.ok(buf.every((x) => x === 0x7a));
  assert.equal((await (await handle.response()).text()).length, size);
});

test('gzip, br and deflate responses are decoded', async () => {
  for (const enc of ['gzip', 'br', 'deflate']) {
    const r = await send('GET', `/compressed?enc=${enc}`).response();
    const j = await r.json();
    assert.equal(j.enc, enc);
    assert.equal(j.filler.length, 2000);
  }
});

test('drop-in for alova/fetch under createAlova: responded r => r.json(), request sharing', async () => {
  const alova = createAlova({
    baseURL: server.url,
    requestAdapter: adapterFetch(),
    responded: (r) => r.json(),
    cacheLogger: false,
  });
  const got = await alova.Post('/items', { id: 1 }, { params: { q: 'x' } }).send();
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/items?q=x');
  assert.equal(Buffer.from(got.body, 'base64').toString(), '{"id":1}');

  let calls = 0;
  const counting = createAlova({
    baseURL: server.url,
    requestAdapter: (el, m) => {
      calls++;
      return adapter(el, m);
    },
    responded: (r) => r.json(),
    cacheFor: null,
    cacheLogger: false,
  });
  const [x, y] = await Promise.all([counting.Get('/shared').send(), counting.Get('/shared').send()]);
  assert.equal(calls, 1, 'the second send shares the in-flight request');
  assert.deepEqual(x, y);
});

test('customFetch is still accepted: that fetch does the request', async () => {
  const seen = [];
  const custom = (url, init) => {
    seen.push([url, init.method, init.body, init.headers]);
    return fetch(url, init);
  };
  // As in alova, the element headers are the method config's headers object.
  const headers = {};
  const h = adapterFetch({ customFetch: custom })(
    { url: server.url + '/c', type: 'POST', data: { a: 1 }, headers },
    { config: { headers, timeout: 5000, credentials: 'omit' } },
  );
  const r = await h.response();
  assert.equal((await r.json()).method, 'POST');
  assert.equal(seen.length, 1);
  assert.equal(seen[0][2], '{"a":1}');
  assert.equal(seen[0][3]['Content-Type'], 'application/json; charset=UTF-8');
  assert.equal((await h.headers()).get('content-type'), 'application/json');
});
