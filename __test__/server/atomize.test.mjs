import test from 'node:test';
import assert from 'node:assert/strict';
import { atomize, retry } from '@alova/native/server';
import { startHttpServer } from '../helpers/servers.mjs';
import { makeAlova, mapStorage } from '../fixtures/server/alova.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An l2 adapter with a JS locker (lock rejects while held), recording its calls. */
function lockingStorage({ alwaysFail = false, alwaysOk = false } = {}) {
  const held = new Set();
  const calls = { lock: [], unlock: [] };
  const storage = mapStorage();
  storage.calls = calls;
  storage.held = held;
  storage.locker = {
    async lock(res) {
      calls.lock.push(res);
      if (alwaysFail) throw new Error('locked');
      if (alwaysOk) return;
      const k = String(res);
      if (held.has(k)) throw new Error('Lock is already being held');
      held.add(k);
    },
    async unlock(res) {
      calls.unlock.push(res);
      held.delete(String(res));
    },
  };
  return storage;
}

let srv;
let active = 0;
let maxActive = 0;
test.before(async () => {
  srv = await startHttpServer(async (req, res) => {
    active++;
    maxActive = Math.max(maxActive, active);
    const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') || 0);
    if (ms) await sleep(ms);
    active--;
    if (req.url.startsWith('/fail')) return res.writeHead(500).end();
    if (req.url.startsWith('/hang')) return; // never answers
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200}');
  });
});
test.after(() => srv.close());

test('without a locker on the l2 adapter, or without a Method, atomize throws at wrap time', () => {
  const a = makeAlova(srv.url, { l2Cache: mapStorage() });
  assert.throws(() => atomize(a.Get('/ok')), {
    name: '[alova/atomize]',
    code: 'ERR_ALOVA_INVALID_ARG',
    message: 'expect set `@alova/storage-redis` or `@alova/storage-file` as l2Cache of alova instance.',
  });
  assert.throws(() => atomize(makeAlova(srv.url).Get('/ok')), { name: '[alova/atomize]' });
  for (const bad of [42, undefined, {}, { context: {} }]) {
    assert.throws(() => atomize(bad), { name: '[alova/atomize]', code: 'ERR_ALOVA_INVALID_ARG', message: 'expected a Method to wrap' });
  }
});

test('locks and unlocks the default channel around the request', async () => {
  const l2 = lockingStorage();
  const a = makeAlova(srv.url, { l2Cache: l2 });
  assert.deepEqual(await atomize(a.Get('/ok')), { code: 200 });
  assert.deepEqual(l2.calls, { lock: ['default'], unlock: ['default'] });
});

test('a lock never obtained rejects after the timeout with alova’s text', async () => {
  const l2 = lockingStorage({ alwaysFail: true });
  const a = makeAlova(srv.url, { l2Cache: l2 });
  await assert.rejects(atomize(a.Get('/ok'), { timeout: 600, interval: 100 }), {
    name: '[alova/atomize]',
    message: 'Failed to acquire lock within 600ms',
  });
  assert.ok(l2.calls.lock.length >= 4, `${l2.calls.lock.length} attempts`);
  assert.equal(l2.calls.unlock.length, 0);
});

test('the lock is released when the request fails; a custom channel is used throughout', async () => {
  const l2 = lockingStorage();
  const a = makeAlova(srv.url, { l2Cache: l2 });
  await assert.rejects(atomize(a.Get('/fail'), { channel: 'orders' }), (e) => e.status === 500);
  assert.deepEqual(l2.calls, { lock: ['orders'], unlock: ['orders'] });
  assert.equal(l2.held.size, 0);
});

test('concurrent sends run one at a time; the loser of a short timeout gives up', async () => {
  const l2 = lockingStorage();
  const a = makeAlova(srv.url, { l2Cache: l2 });
  maxActive = 0;
  const [x, y] = await Promise.allSettled([
    atomize(a.Get('/ok?ms=300'), { timeout: 2000, interval: 30 }).send(),
    atomize(a.Get('/ok?ms=300'), { timeout: 2000, interval: 30 }).send(),
  ]);
  assert.equal(x.status, 'fulfilled');
  assert.equal(y.status, 'fulfilled');
  assert.equal(maxActive, 1);
  assert.equal(l2.calls.unlock.length, 2);
  l2.calls.lock.length = 0;
  l2.calls.unlock.length = 0;
  const both = await Promise.allSettled([
    atomize(a.Get('/ok?ms=400'), { timeout: 150, interval: 30 }).send(),
    atomize(a.Get('/ok?ms=400'), { timeout: 150, interval: 30 }).send(),
  ]);
  assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1);
  assert.match(both.find((r) => r.status === 'rejected').reason.message, /Failed to acquire lock within 150ms/);
  assert.equal(l2.calls.unlock.length, 1);
});

test('different channels do not exclude each other', async () => {
  const l2 = lockingStorage({ alwaysOk: true });
  const a = makeAlova(srv.url, { l2Cache: l2 });
  const out = await Promise.all(['channel1', 'channel2', 'channel1'].map((channel, i) => atomize(a.Get(`/ok?i=${i}`), { channel })));
  assert.equal(out.length, 3);
  assert.deepEqual(new Set(l2.calls.lock), new Set(['channel1', 'channel2']));
  assert.deepEqual(l2.calls.unlock.sort(), ['channel1', 'channel1', 'channel2']);
});

test('abort(): while waiting for the lock it stops waiting; while the request runs it aborts it and unlocks', async () => {
  const l2 = lockingStorage();
  const a = makeAlova(srv.url, { l2Cache: l2 });
  const holder = atomize(a.Get('/hang'), { timeout: 5000 });
  const p1 = holder.send();
  while (!l2.held.has('default')) await sleep(5);
  const waiter = atomize(a.Get('/ok'), { timeout: 5000, interval: 20 });
  const p2 = waiter.send();
  await sleep(60);
  await Promise.all([waiter.abort(), assert.rejects(p2, { name: 'AbortError' })]);
  assert.ok(l2.held.has('default'), 'the waiter never held the lock');
  await sleep(30);
  await Promise.all([holder.abort(), assert.rejects(p1, { name: 'AbortError' })]);
  assert.equal(l2.held.size, 0, 'released on abort');
  assert.deepEqual(l2.calls.unlock, ['default']);
});

test('hooks compose: retry(atomize(m)) takes the lock once per attempt', async () => {
  const l2 = lockingStorage();
  const a = makeAlova(srv.url, { l2Cache: l2 });
  await assert.rejects(retry(atomize(a.Get('/fail')), { retry: 2, backoff: { delay: 1 } }));
  assert.equal(l2.calls.lock.length, 3);
  assert.equal(l2.calls.unlock.length, 3);
  assert.equal(l2.held.size, 0);
});
