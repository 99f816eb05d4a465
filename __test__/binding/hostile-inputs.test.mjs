// Values a careless or hostile caller or origin may pass, each refused or handled at the call
// that received it: non-finite timeouts and redirect counts, oversized header lists,
// redirects out of HTTP, a cancelled body, NaN and negative rate-limit points, values JSON
// cannot hold, non-string cache keys. Whatever could abort the process runs in a child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpServer, startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { createAlova, L1Cache } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const { createRateLimiter } = require('@alova/native/server');
const FileStorageAdapter = require('@alova/native/storage-file');
const binding = require('../../binding.js');
const { RedisClient } = binding;

/** Runs `body` (CommonJS, with `createAlova`, `adapterFetch` and `origin` in scope) in a child. */
async function inChild(origin, body) {
  const script = `
    const { createAlova } = require(${JSON.stringify(path.join(root, 'index.js'))});
    const adapterFetch = require(${JSON.stringify(require.resolve('@alova/native/fetch'))});
    const origin = ${JSON.stringify(origin)};
    (async () => { ${body} })().then((out) => { process.stdout.write(JSON.stringify(out)); process.exit(0); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 30_000 });
  return JSON.parse(stdout);
}

test('a timeout of Infinity, 1e30, NaN or a negative number never aborts the process', async (t) => {
  const srv = await startHttpServer((req, res) => res.end('{"ok":true}'));
  t.after(() => srv.close());
  for (const timeout of ['Infinity', '1e30', 'NaN', '-1', '2 ** 64']) {
    const out = await inChild(
      srv.url,
      `const alova = createAlova({ baseURL: origin, requestAdapter: adapterFetch(), timeout: ${timeout}, responded: (r) => r.json() });
       return alova.Get('/').send();`,
    );
    assert.deepEqual(out, { ok: true }, `timeout: ${timeout}`);
  }
  // With `customFetch` (alova's own adapter path) an Infinite timeout does not fire at once.
  const slow = await startHttpServer((req, res) => setTimeout(() => res.end('{"slow":true}'), 100));
  t.after(() => slow.close());
  const alova = createAlova({ baseURL: slow.url, requestAdapter: adapterFetch({ customFetch: fetch }), timeout: Infinity, responded: (r) => r.json() });
  assert.deepEqual(await alova.Get('/').send(), { slow: true });
});

test('a panic inside a native call is a thrown ERR_ALOVA_INTERNAL error, and the process lives on', async () => {
  const out = await inChild(
    '',
    `const { checkPanicConvention } = require(${JSON.stringify(path.join(root, 'binding.js'))});
     const seen = [];
     for (let i = 0; i < 3; i++) {
       try { checkPanicConvention(); seen.push('returned'); } catch (e) { seen.push([e instanceof Error, e.code, e.message]); }
     }
     return seen;`,
  );
  assert.equal(out.length, 3);
  for (const [isError, code, message] of out) {
    assert.equal(isError, true);
    assert.equal(code, 'ERR_ALOVA_INTERNAL');
    assert.match(message, /a panic inside a native call/);
  }
});

test('24,600 request headers settle with a coded error instead of hanging', async (t) => {
  const srv = await startHttpServer((req, res) => res.end('{}'));
  t.after(() => srv.close());
  const out = await inChild(
    srv.url,
    `const headers = {};
     for (let i = 0; i < 24600; i++) headers['x-h' + i] = 'v';
     const alova = createAlova({ baseURL: origin, requestAdapter: adapterFetch() });
     return alova.Get('/', { headers }).send().then(() => ({ ok: true }), (e) => ({ code: e.code, message: e.message }));`,
  );
  assert.equal(out.code, 'ERR_ALOVA_INVALID_ARG');
  assert.match(out.message, /request headers/);
});

test('maxRedirects: Infinity follows redirects (and still ends a redirect loop)', async (t) => {
  const srv = await startHttpServer((req, res) => {
    const n = Number(req.url.slice(1));
    if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (n > 0) return res.writeHead(302, { location: `/${n - 1}` }).end();
    res.end('{"landed":true}');
  });
  t.after(() => srv.close());
  const alova = createAlova({ baseURL: srv.url, requestAdapter: adapterFetch({ maxRedirects: Infinity }), responded: (r) => r.json() });
  assert.deepEqual(await alova.Get('/25').send(), { landed: true });
  await assert.rejects(alova.Get('/loop').send(), (e) => e.code === 'ERR_ALOVA_NETWORK');
});

test('a redirect to file: or gopher: rejects, as fetch does', async (t) => {
  const srv = await startHttpServer((req, res) => {
    res.writeHead(302, { location: req.url === '/file' ? 'file:///etc/passwd' : 'gopher://127.0.0.1/x' }).end();
  });
  t.after(() => srv.close());
  const alova = createAlova({ baseURL: srv.url, requestAdapter: adapterFetch(), responded: (r) => r });
  await assert.rejects(alova.Get('/file').send(), (e) => e instanceof TypeError && e.code === 'ERR_ALOVA_NETWORK');
  await assert.rejects(alova.Get('/gopher').send(), (e) => e instanceof TypeError && e.code === 'ERR_ALOVA_NETWORK');
  // Manual mode still hands the 3xx over.
  const r = await alova.Get('/file', { redirect: 'manual' }).send();
  assert.equal(r.status, 302);
});

test('ReadableStream.cancel() on a response body releases its connection', async (t) => {
  let closed = 0;
  const srv = await startHttpServer((req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write('x'.repeat(1024)), 5);
    res.on('close', () => clearInterval(timer));
  });
  srv.server.on('connection', (s) => s.on('close', () => closed++));
  t.after(() => srv.close());
  const alova = createAlova({ baseURL: srv.url, requestAdapter: adapterFetch(), responded: (r) => r });
  const r = await alova.Get('/endless').send();
  const reader = r.body.getReader();
  assert.ok((await reader.read()).value.length > 0);
  await reader.cancel();
  for (let i = 0; i < 50 && closed === 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(closed, 1, 'the connection stayed open after cancel()');
});

const objectStorage = () => {
  const m = new Map();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
};
for (const [name, storageOf] of [['native memory store', () => new L1Cache()], ['JS adapter', objectStorage]]) {
  test(`rate limit (${name}): consume refuses NaN, Infinity, 0 and negative points; penalty and reward NaN and negatives`, async () => {
    const method = createAlova({ requestAdapter: () => ({ response: async () => 1, headers: async () => ({}), abort() {} }) }).Get('/');
    const m = createRateLimiter({ points: 4, duration: 60_000, storage: storageOf() })(method, { key: 'nan' });
    for (const p of [NaN, Infinity, -Infinity, 0, -100, '2']) {
      await assert.rejects(m.consume(p), (e) => e.code === 'ERR_ALOVA_INVALID_ARG', `consume(${p})`);
    }
    for (const p of [NaN, -1, Infinity]) {
      await assert.rejects(m.penalty(p), (e) => e.code === 'ERR_ALOVA_INVALID_ARG', `penalty(${p})`);
      await assert.rejects(m.reward(p), (e) => e.code === 'ERR_ALOVA_INVALID_ARG', `reward(${p})`);
    }
    // The record was left alone: exactly 4 points pass.
    for (let i = 0; i < 4; i++) await m.consume();
    await assert.rejects(m.consume(), (res) => res.remainingPoints === 0);
  });
}

test('FileStorageAdapter.set rejects (never throws) a BigInt or a circular value', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-set-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const adapter = new FileStorageAdapter({ directory: dir });
  const circular = {};
  circular.self = circular;
  for (const value of [1n, circular, { toJSON() { throw new Error('no'); } }]) {
    let result;
    assert.doesNotThrow(() => (result = adapter.set('k', value)));
    await assert.rejects(result, (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
  }
  await adapter.set('k', 1);
  assert.equal(await adapter.get('k'), 1);
});

test('L1Cache: non-string keys are stringified, as on an object, and never break later evictions', () => {
  const l1 = new L1Cache({ maxEntries: 3 });
  l1.set(1, 'one');
  l1.set({}, 'object');
  l1.set(Symbol('s'), 'symbol');
  assert.equal(l1.get('1'), 'one');
  assert.equal(l1.get(1), 'one');
  for (let i = 0; i < 10; i++) l1.set(`k${i}`, i); // evicts the three above
  assert.equal(l1.get('k9'), 9);
  assert.equal(l1.get(1), undefined);
  l1.remove(9);
});

test('Redis: a commandTimeout of Infinity means a long limit, not 1 ms', async (t) => {
  const redis = await startRedis(['--enable-debug-command', 'yes']);
  t.after(() => redis.stop());
  const replies = [];
  let wake;
  const client = RedisClient.create({ host: '127.0.0.1', port: redis.port, commandTimeout: Infinity, connectTimeout: Infinity }, () => {
    for (const { id, failure, replies: r } of client.take()) replies.push([id, failure ?? null, r]);
    wake();
  });
  t.after(() => client.close());
  const answered = new Promise((r) => (wake = r));
  client.submit(1, [['DEBUG', 'SLEEP', '0.2'], ['PING']]);
  await answered;
  assert.deepEqual(replies, [[1, null, ['OK', 'PONG']]]);
});

test('an id that is not a live object\'s (NaN, a fraction, out of range) is refused, never wrapped onto another', () => {
  const id = binding.rateLimitStoreCreate();
  assert.equal(binding.rateLimitSize(id), 0);
  for (const bad of [NaN, Infinity, -Infinity, 0, -1, id + 0.5, 2 ** 32 + id, 1e300]) {
    assert.throws(() => binding.rateLimitSize(bad), { code: 'ERR_ALOVA_INVALID_ARG' }, String(bad));
    assert.throws(() => binding.pscDrainKeys(bad), { code: 'ERR_ALOVA_INVALID_ARG' }, String(bad));
  }
  binding.rateLimitStoreDrop(id);
  assert.throws(() => binding.rateLimitSize(id), { code: 'ERR_ALOVA_INVALID_ARG' });
});
