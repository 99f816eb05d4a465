import { createRequire } from 'node:module';
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRateLimiter, HookedMethod } from '@alova/native/server';
import { L1Cache } from '@alova/native';
import { startHttpServer, readBody } from '../helpers/servers.mjs';
import { makeAlova, mapStorage } from '../fixtures/server/alova.mjs';

const json = (r) => JSON.parse(JSON.stringify(r));

// The limiter's behaviours on every kind of store: server-ratelimit-conformance.test.mjs.
const method = () => makeAlova('http://127.0.0.1:1').Get('/unit');

test('options: store alias, keyPrefix, missing storage, default key per wrapper', async () => {
  const store = mapStorage();
  const limiter = createRateLimiter({ points: 2, store });
  await limiter(method(), { key: 'a' }).consume();
  assert.deepEqual([...store.map.keys()], ['rlflx:a']);
  const rec = store.map.get('rlflx:a');
  assert.equal(rec[0], 1);
  assert.ok(rec[1] > Date.now() && rec[1] <= Date.now() + 4000, 'default duration 4000 ms');

  const bare = mapStorage();
  await createRateLimiter({ keyPrefix: '', storage: bare })(method(), { key: 'b' }).consume();
  assert.deepEqual([...bare.map.keys()], ['b']);
  await createRateLimiter({ keyPrefix: 'login', storage: bare })(method(), { key: 'c' }).consume();
  assert.ok(bare.map.has('login:c'));

  assert.throws(() => createRateLimiter()(method()), { name: '[alova/RateLimit]', code: 'ERR_ALOVA_INVALID_ARG', message: 'storage is not define' });
  for (const bad of [undefined, 42, {}]) {
    assert.throws(() => createRateLimiter({ storage: {} })(bad), { name: '[alova/RateLimit]', code: 'ERR_ALOVA_INVALID_ARG', message: 'expected a Method to wrap' });
  }
  // falls back to the instance's l2Cache
  const l2 = mapStorage();
  const a = makeAlova('http://127.0.0.1:1', { l2Cache: l2 });
  await createRateLimiter()(a.Get('/x')).consume();
  assert.equal(l2.map.size, 1);
  // unkeyed wrappers never share counts
  const s = mapStorage();
  const lim = createRateLimiter({ storage: s });
  await lim(method()).consume();
  await lim(method()).consume();
  assert.equal(s.map.size, 2);
  assert.ok(lim(method()) instanceof HookedMethod);
});

test('execEvenly spreads consumes over the window', async () => {
  const m = createRateLimiter({ points: 4, duration: 400, execEvenly: true, storage: mapStorage() })(method(), { key: 'e' });
  const t0 = Date.now();
  await m.consume(); // first in window: immediate
  assert.ok(Date.now() - t0 < 50);
  await m.consume(); // ~ ceil(400 / (2 + 2)) = 100 ms
  const waited = Date.now() - t0;
  assert.ok(waited >= 95, `waited ${waited} ms`);
});

test('a limited method sends only when a point was consumed; storage errors reject', async () => {
  let hits = 0;
  const srv = await startHttpServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}');
  });
  try {
    const m = createRateLimiter({ points: 2, duration: 60_000, storage: new L1Cache() })(makeAlova(srv.url).Get('/x'), { key: 's' });
    assert.deepEqual(await m, { ok: 1 });
    assert.deepEqual(await m.send(), { ok: 1 });
    const rej = await m.send().catch((r) => r);
    assert.equal(rej.consumedPoints, 3);
    assert.equal(hits, 2);
    const broken = { get: async () => { throw new Error('store down'); }, set: async () => {}, remove: async () => {} };
    await assert.rejects(createRateLimiter({ storage: broken })(method()).consume(), /store down/);
    const unremovable = { ...broken, remove: async () => { throw new Error('store down'); } };
    assert.equal(await createRateLimiter({ storage: unremovable })(method()).delete(), false, 'delete resolves false when the store fails');
  } finally {
    await srv.close();
  }
});

test('login scenario against a real server', async () => {
  const users = { tom: 'right' };
  const api = await startHttpServer(async (req, res) => {
    const { user, password } = JSON.parse((await readBody(req)).toString());
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(users[user] === password ? { code: 0, msg: 'success' } : { code: -1 }));
  });
  const storage = new L1Cache();
  const limiter = createRateLimiter({ points: 4, duration: 60_000, blockDuration: 100_000, storage });
  const alova = makeAlova(api.url);
  const entry = await startHttpServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString());
    const limited = limiter(alova.Post('/login', body), { key: body.user });
    const state = await limited.get();
    let out;
    if (state && state.remainingPoints <= 0) {
      out = { code: -100 };
    } else {
      out = await limited.send();
      if (out.code === 0) await limited.delete();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
  const login = async (password) =>
    (await fetch(entry.url, { method: 'POST', body: JSON.stringify({ user: 'tom', password }) })).json();
  try {
    assert.deepEqual(await login('right'), { code: 0, msg: 'success' });
    for (let i = 0; i < 3; i++) assert.equal((await login('bad')).code, -1);
    assert.equal((await login('right')).code, 0, 'a success deletes the counter');
    for (let i = 0; i < 4; i++) assert.equal((await login('bad')).code, -1);
    assert.equal((await login('right')).code, -100);
  } finally {
    await entry.close();
    await api.close();
  }
});

test("rejections are rate-limiter-flexible's RateLimiterRes when the app has it, ours otherwise", async () => {
  const { RateLimiterRes } = await import('rate-limiter-flexible');
  const m = createRateLimiter({ points: 1, duration: 60_000, storage: new L1Cache() })(method(), { key: 'flex' });
  const ok = await m.consume();
  const rej = await m.consume().then(
    () => assert.fail('should reject'),
    (r) => r,
  );
  assert.ok(rej instanceof RateLimiterRes, 'the app (this package) has rate-limiter-flexible installed');
  assert.ok(ok instanceof RateLimiterRes);
  assert.deepEqual(json(rej), { remainingPoints: 0, msBeforeNext: rej.msBeforeNext, consumedPoints: 2, isFirstInDuration: false });
  assert.ok(rej.msBeforeNext > 59_000);

  // An app without it: a process started in an empty directory.
  const { execFile } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/alova-app-`);
  const server = createRequire(import.meta.url).resolve('@alova/native/server');
  const core = fileURLToPath(new URL('../../index.js', import.meta.url));
  const script = `
    const { createRateLimiter } = require(${JSON.stringify(server)});
    const { createAlova, L1Cache } = require(${JSON.stringify(core)});
    const alova = createAlova({ requestAdapter: () => ({ response: async () => 1, headers: async () => ({}), abort() {} }) });
    const m = createRateLimiter({ points: 0, storage: new L1Cache() })(alova.Get('/x'), { key: 'k' });
    m.consume().catch((r) => console.log(JSON.stringify({ name: r.constructor.name, own: r.constructor === require(${JSON.stringify(
      fileURLToPath(new URL('../../lib/server/rate-limit/result.js', import.meta.url)),
    )}).RateLimiterRes, remaining: r.remainingPoints, consumed: r.consumedPoints })));`;
  try {
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { cwd: dir, timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    assert.deepEqual(JSON.parse(out), { name: 'RateLimiterRes', own: true, remaining: 0, consumed: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
