import { createRequire } from 'node:module';
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRateLimiter, HookedMethod } from '@alova/native/server';
import { L1Cache } from '@alova/native';
import { startHttpServer, startRedis, readBody } from '../helpers/servers.mjs';
import { makeAlova, mapStorage } from '../fixtures/server/alova.mjs';
import { redisAdapter } from '../fixtures/server/redis-adapter.mjs';
import { runTogether } from '../fixtures/server/children.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const json = (r) => JSON.parse(JSON.stringify(r));

let redis;
const adapters = [];
test.before(async () => {
  redis = await startRedis();
});
test.after(async () => {
  for (const a of adapters) a.close();
  await redis.stop();
});

// The same behaviours on the three kinds of store: native memory (our L1 cache adapter), a
// plain JS adapter, and Redis (Lua step through the adapter's eval).
const backends = {
  native: () => new L1Cache(),
  'js adapter': () => mapStorage(),
  redis: () => {
    const a = redisAdapter(redis.port, `t${Math.random().toString(36).slice(2)}:`);
    adapters.push(a);
    return a;
  },
};

const method = () => makeAlova('http://127.0.0.1:1').Get('/unit');

for (const [name, storageOf] of Object.entries(backends)) {
  test(`${name}: alova's limiter behaviours`, async (t) => {
    const opts = () => ({ points: 4, duration: 60_000, blockDuration: 100_000, storage: storageOf() });

    await t.test('a fresh key has no record', async () => {
      assert.equal(await createRateLimiter(opts())(method()).get(), null);
    });

    await t.test('consume, then get', async () => {
      const m = createRateLimiter(opts())(method(), { key: 'k' });
      const first = json(await m.consume());
      assert.ok(first.msBeforeNext > 59_000 && first.msBeforeNext <= 60_000);
      assert.deepEqual({ ...first, msBeforeNext: 0 }, { remainingPoints: 3, msBeforeNext: 0, consumedPoints: 1, isFirstInDuration: true });
      const got = json(await m.get());
      assert.equal(got.consumedPoints, 1);
      assert.equal(got.remainingPoints, 3);
      assert.equal(got.isFirstInDuration, false);
      assert.ok(got.msBeforeNext > 59_000 && got.msBeforeNext <= 60_000);
    });

    await t.test('going over blocks for blockDuration', async () => {
      const m = createRateLimiter(opts())(method(), { key: 'b' });
      await m.consume();
      const rej = await m.consume(4).then(
        () => assert.fail('should reject'),
        (r) => r,
      );
      assert.ok(!(rej instanceof Error), 'rejects with a RateLimiterRes, not an Error');
      assert.equal(rej.remainingPoints, 0);
      assert.equal(rej.consumedPoints, 5);
      assert.equal(rej.isFirstInDuration, false);
      assert.equal(rej.msBeforeNext, 100_000);
      assert.ok((await m.get()).msBeforeNext > 99_000, 'the stored window was extended');
    });

    await t.test('a key function is evaluated on every operation', async () => {
      let who = 'Tom';
      const m = createRateLimiter(opts())(method(), { key: () => who });
      const tom = await m.consume(5).catch((r) => r);
      assert.equal(tom.consumedPoints, 5);
      assert.ok(tom.msBeforeNext >= 99_000);
      who = 'Jerry';
      assert.deepEqual(
        { ...json(await m.consume()), msBeforeNext: 0 },
        { remainingPoints: 3, msBeforeNext: 0, consumedPoints: 1, isFirstInDuration: true },
      );
      who = 'Tom';
      const again = await m.consume().catch((r) => r);
      assert.equal(again.consumedPoints, 6);
      assert.equal(again.isFirstInDuration, false);
    });

    await t.test('msBeforeNext counts down with the clock', async () => {
      const real = Date.now;
      let now = real();
      Date.now = () => now;
      try {
        const m = createRateLimiter({ points: 1, duration: 4000, storage: storageOf() })(method());
        await m.consume();
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 4000);
        now += 1000;
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 3000);
        now += 1000;
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 2000);
      } finally {
        Date.now = real;
      }
    });

    await t.test('set, block, penalty, reward, delete', async () => {
      const m = createRateLimiter(opts())(method(), { key: 'ops' });
      assert.deepEqual(json(await m.set(2, 30_000)), { remainingPoints: 0, msBeforeNext: 30_000, consumedPoints: 2, isFirstInDuration: false });
      assert.equal((await m.get()).consumedPoints, 2);
      const pen = await m.penalty(1);
      assert.equal(pen.consumedPoints, 3);
      const rew = await m.reward(2);
      assert.equal(rew.consumedPoints, 1);
      assert.deepEqual(json(await m.block(5000)), { remainingPoints: 0, msBeforeNext: 5000, consumedPoints: 5, isFirstInDuration: false });
      assert.equal((await m.consume().catch((r) => r)).consumedPoints, 6);
      assert.equal(await m.delete(), true);
      assert.equal(await m.get(), null);
    });

    await t.test('long and non-ASCII keys are kept apart', async () => {
      const storage = storageOf();
      const long = 'ü'.repeat(300) + '🙂';
      const a = createRateLimiter({ points: 2, duration: 60_000, storage })(method(), { key: long });
      const b = createRateLimiter({ points: 2, duration: 60_000, storage })(method(), { key: long.slice(0, -2) });
      await a.consume();
      await a.consume();
      await b.consume();
      assert.equal((await a.get()).consumedPoints, 2);
      assert.equal((await b.get()).consumedPoints, 1);
      assert.equal((await createRateLimiter({ points: 2, storage })(method(), { key: 'short' }).consume()).consumedPoints, 1);
      await a.delete();
      assert.equal(await a.get(), null);
      assert.equal((await b.get()).consumedPoints, 1);
    });

    await t.test('exactly `points` pass under 1000 concurrent consumes (fix)', async () => {
      const m = createRateLimiter({ points: 100, duration: 60_000, storage: storageOf() })(method(), { key: 'race' });
      const results = await Promise.allSettled(Array.from({ length: 1000 }, () => m.consume()));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 100);
      assert.ok(results.every((r) => r.status === 'fulfilled' || !(r.reason instanceof Error)));
      assert.equal((await m.get()).consumedPoints, 1000);
    });

    await t.test('durations keep their milliseconds (fix)', async () => {
      const m = createRateLimiter({ points: 1, duration: 300, storage: storageOf() })(method(), { key: 'ms' });
      const first = await m.consume();
      assert.ok(first.msBeforeNext > 0 && first.msBeforeNext <= 300, `msBeforeNext ${first.msBeforeNext}`);
      await assert.rejects(m.consume());
      await sleep(350);
      assert.equal(await m.get(), null);
      assert.equal((await m.consume()).consumedPoints, 1, 'a new window after 300 ms');
      // a block of 200 ms ends on time too
      const b = createRateLimiter({ points: 1, duration: 60_000, blockDuration: 200, storage: storageOf() })(method(), { key: 'bms' });
      await b.consume();
      assert.equal((await b.consume().catch((r) => r)).msBeforeNext, 200);
      await sleep(250);
      assert.equal(await b.get(), null);
    });
  });
}

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

  assert.throws(() => createRateLimiter()(method()), { name: '[alova/RateLimit]', message: 'storage is not define' });
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

test('exactly `points` pass across processes sharing Redis (fix)', async () => {
  const worker = fileURLToPath(new URL('../fixtures/server/ratelimit-worker.mjs', import.meta.url));
  const key = `cross-${Date.now()}`;
  const out = await runTogether(worker, Array.from({ length: 4 }, () => [String(redis.port), key, '250', '100']));
  for (const o of out) assert.deepEqual(o.errors, []);
  assert.equal(out.reduce((n, o) => n + o.passed, 0), 100);
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
