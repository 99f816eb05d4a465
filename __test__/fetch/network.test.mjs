// @alova/native/fetch: redirects, timeout, abort, progress, network failures and proxies,
// against loopback servers.
import { createRequire } from 'node:module';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once, EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer, readBody, freePort } from '../helpers/servers.mjs';

let server;
const streamArrivals = new EventEmitter();
/** Responses that never come are parked here so the server can release them at the end. */
const parked = new Set();

before(async () => {
  server = await startHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const hops = Number(url.searchParams.get('hops'));
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: hops > 1 ? `/redirect?hops=${hops - 1}` : '/final' });
      return res.end();
    }
    if (url.pathname === '/final') return res.end('arrived');
    if (url.pathname === '/hang') return parked.add(res);
    if (url.pathname === '/slow-body') {
      // Head and first half now, the rest when released.
      res.writeHead(200, { 'content-length': '2000000' });
      res.write(Buffer.alloc(1_000_000, 'a'));
      return parked.add(res);
    }
    if (url.pathname === '/download') {
      const total = 2 * 1024 * 1024;
      res.writeHead(200, { 'content-length': String(total) });
      const chunk = Buffer.alloc(256 * 1024, 'd');
      for (let i = 0; i < total / chunk.length; i++) {
        if (!res.write(chunk)) await once(res, 'drain');
      }
      return res.end();
    }
    if (url.pathname === '/stream-upload') {
      // Reports each chunk as it arrives, so the client can send the next one only then.
      const sizes = [];
      req.on('data', (c) => {
        sizes.push(c.length);
        streamArrivals.emit('chunk', c.toString());
      });
      req.on('aborted', () => streamArrivals.emit('aborted'));
      req.on('end', () => res.end(JSON.stringify({ te: req.headers['transfer-encoding'], sizes })));
      return;
    }
    if (url.pathname === '/upload') {
      const body = await readBody(req);
      return res.end(String(body.length));
    }
    res.end('ok');
  });
});
after(async () => {
  for (const r of parked) r.destroy();
  await server.close();
});

const adapter = adapterFetch();
const send = (path, { type = 'GET', data, config = {}, use = adapter } = {}) =>
  use({ url: server.url + path, type, data, headers: {} }, { config });

test('redirects are followed, marked, and limited', async () => {
  const r = await send('/redirect?hops=3').response();
  assert.equal(await r.text(), 'arrived');
  assert.equal(r.redirected, true);
  assert.equal(r.url, server.url + '/final');

  const limited = adapterFetch({ maxRedirects: 2 });
  const err = await send('/redirect?hops=3', { use: limited }).response().catch((e) => e);
  assert.ok(err instanceof TypeError);
  assert.equal(err.message, 'fetch failed');
  assert.equal(err.code, 'ERR_ALOVA_NETWORK');
  assert.match(err.cause.message, /redirect/i);

  const manual = await send('/redirect?hops=1', { config: { redirect: 'manual' } }).response();
  assert.equal(manual.status, 302);
  assert.equal(manual.headers.get('location'), '/final');
  await assert.rejects(send('/redirect?hops=1', { config: { redirect: 'error' } }).response(), { code: 'ERR_ALOVA_NETWORK' });
});

test('timeout rejects with alova\'s error, and headers() resolves {}', async () => {
  const h = send('/hang', { config: { timeout: 100 } });
  const err = await h.response().catch((e) => e);
  assert.equal(Object.getPrototypeOf(err), Error.prototype);
  assert.equal(err.message, 'fetchError: network timeout');
  assert.equal(err.code, 'ERR_ALOVA_TIMEOUT');
  assert.deepEqual(await h.headers(), {});
});

test('abort in flight rejects like fetch, with a code', async () => {
  const h = send('/hang');
  setTimeout(() => h.abort(), 50);
  const err = await h.response().catch((e) => e);
  assert.equal(err.name, 'AbortError');
  assert.equal(err.message, 'This operation was aborted');
  assert.equal(err.code, 'ERR_ALOVA_ABORTED');
  assert.ok(err instanceof DOMException);
  // The engine stays usable after an abort.
  assert.equal(await (await send('/final').response()).text(), 'arrived');
});

test('abort while the body streams stops the body and reports (loaded, 0)', async () => {
  const h = send('/slow-body');
  const events = [];
  h.onDownload((loaded, total) => events.push([loaded, total]));
  const r = await h.response();
  const reading = r.arrayBuffer();
  await new Promise((resolve) => {
    const check = () => (events.length ? resolve() : setTimeout(check, 5));
    check();
  });
  h.abort();
  await assert.rejects(reading, { name: 'AbortError' });
  const last = events.at(-1);
  assert.equal(last[1], 0);
  assert.ok(last[0] > 0 && last[0] < 2_000_000);
});

test('onDownload reports (loaded, total) per chunk up to the Content-Length', async () => {
  const h = send('/download');
  const events = [];
  h.onDownload((loaded, total) => events.push([loaded, total]));
  const r = await h.response();
  assert.equal((await r.arrayBuffer()).byteLength, 2 * 1024 * 1024);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(events.length >= 1);
  assert.deepEqual(events.at(-1), [2 * 1024 * 1024, 2 * 1024 * 1024]);
  for (let i = 1; i < events.length; i++) assert.ok(events[i][0] > events[i - 1][0]);

  const small = send('/final');
  const got = [];
  small.onDownload((loaded, total) => got.push([loaded, total]));
  await (await small.response()).text();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(got, [[7, 7]]);
});

test('onUpload reports real progress of the request body', async () => {
  const size = 1024 * 1024;
  const h = send('/upload', { type: 'POST', data: Buffer.alloc(size, 'u') });
  const events = [];
  h.onUpload((loaded, total) => events.push([loaded, total]));
  assert.equal(await (await h.response()).text(), String(size));
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(events.length >= 1);
  assert.deepEqual(events.at(-1), [size, size]);
  for (let i = 1; i < events.length; i++) assert.ok(events[i][0] > events[i - 1][0]);

  const small = send('/upload', { type: 'POST', data: 'tiny' });
  const got = [];
  small.onUpload((loaded, total) => got.push([loaded, total]));
  await (await small.response()).text();
  assert.deepEqual(got, [[4, 4]]);
});

test('a ReadableStream body is sent while it is read, with upload progress', async () => {
  const enc = new TextEncoder();
  let step = 0;
  const body = new ReadableStream({
    async pull(controller) {
      step++;
      if (step === 1) return controller.enqueue(enc.encode('first;'));
      // Only once the server has seen the first chunk: a buffered body would never get here.
      if (step === 2) {
        await once(streamArrivals, 'chunk');
        return controller.enqueue(enc.encode('second'));
      }
      controller.close();
    },
  });
  const h = send('/stream-upload', { type: 'POST', data: body });
  const events = [];
  h.onUpload((loaded, total) => events.push([loaded, total]));
  const got = await (await h.response()).json();
  assert.equal(got.te, 'chunked');
  assert.equal(got.sizes.reduce((a, b) => a + b, 0), 'first;second'.length);
  assert.deepEqual(events.at(-1), ['first;second'.length, 0]);
});

test('a ReadableStream that errors fails the request instead of sending a cut body', async () => {
  const body = new ReadableStream({
    async pull(controller) {
      controller.enqueue(new TextEncoder().encode('part'));
      await once(streamArrivals, 'chunk');
      controller.error(new Error('source broke'));
    },
  });
  const aborted = once(streamArrivals, 'aborted');
  const err = await send('/stream-upload', { type: 'POST', data: body }).response().catch((e) => e);
  assert.equal(err.code, 'ERR_ALOVA_NETWORK');
  assert.match(err.cause.message, /source broke/);
  await aborted;
});

test('many concurrent requests with aborts in between all settle, and the pool recovers', async () => {
  const handles = Array.from({ length: 600 }, (_, i) => {
    const h = send(i % 3 === 0 ? '/hang' : '/final');
    if (i % 3 === 0) setTimeout(() => h.abort(), i % 7);
    return h;
  });
  const results = await Promise.allSettled(handles.map((h) => h.response().then((r) => r.text())));
  results.forEach((r, i) => {
    if (i % 3 === 0) assert.equal(r.reason.name, 'AbortError');
    else assert.equal(r.value, 'arrived');
  });
});

test('connection refused rejects TypeError("fetch failed") with Node\'s cause and a code', async () => {
  const port = await freePort();
  const h = adapter({ url: `http://127.0.0.1:${port}/`, type: 'GET', headers: {} }, { config: {} });
  const err = await h.response().catch((e) => e);
  assert.ok(err instanceof TypeError);
  assert.equal(err.message, 'fetch failed');
  assert.equal(err.code, 'ERR_ALOVA_NETWORK');
  assert.equal(err.cause.code, 'ECONNREFUSED');
  assert.equal(err.cause.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.deepEqual(await h.headers(), {});
});

test('a server that closes mid-response gives a network error, not a crash', async () => {
  const raw = net.createServer((sock) => {
    sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort'));
  });
  raw.listen(0, '127.0.0.1');
  await once(raw, 'listening');
  const h = adapter({ url: `http://127.0.0.1:${raw.address().port}/`, type: 'GET', headers: {} }, { config: {} });
  await assert.rejects(h.response().then((r) => r.text()), { code: 'ERR_ALOVA_NETWORK' });
  raw.close();
});

test('a request in flight keeps the process alive; an idle adapter does not', async () => {
  const entry = createRequire(import.meta.url).resolve('@alova/native/fetch');
  const script = `
    const adapter = require(${JSON.stringify(entry)})();
    if (process.argv[1]) {
      adapter({ url: process.argv[1], type: 'GET', headers: {} }, { config: {} })
        .response().then((r) => r.text()).then((t) => console.log('got', t));
    }`;
  const run = promisify(execFile);
  // The server answers after 300 ms; nothing else holds the child's event loop.
  const late = await startHttpServer((req, res) => setTimeout(() => res.end('late'), 300));
  try {
    const { stdout } = await run(process.execPath, ['-e', script, late.url], { timeout: 20_000 });
    assert.equal(stdout.trim(), 'got late');
    const idle = await run(process.execPath, ['-e', script, ''], { timeout: 20_000 });
    assert.equal(idle.stdout, '');
  } finally {
    await late.close();
  }
});
