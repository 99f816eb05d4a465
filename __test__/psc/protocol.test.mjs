// alova's event protocol (custom sync adapters), wired as in alova's own sharedCache tests
// through one in-process EventEmitter, plus the module-level fixes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as psc from '@alova/native/psc';
import { startHttpServer } from '../helpers/servers.mjs';
import { alovaWith, queryCache } from '../fixtures/psc/alova.mjs';

const {
  ExplicitCacheAdapter,
  createPSCAdapter,
  createPSCSynchronizer,
  createSyncAdapter,
  PSCAdapter,
  NodeSyncAdapter,
  createNodePSCSynchronizer,
} = psc;
const require = createRequire(import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-proto-'));
process.env.ALOVA_PSC_DIR = dir;
let hits = 0;
const origin = await startHttpServer((req, res) => {
  hits++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ url: req.url, at: Date.now() }));
});
after(async () => {
  await origin.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tick = () => new Promise((r) => setTimeout(r, 10));

/** A hub and client sync adapters over one in-process EventEmitter. */
function prepareEnv() {
  const bus = new EventEmitter();
  createPSCSynchronizer(
    createSyncAdapter({
      send: (e) => void bus.emit('to-client', JSON.parse(JSON.stringify(e))),
      receive: (h) => void bus.on('to-main', (e) => h(e)),
    }),
  );
  return () =>
    createSyncAdapter({
      send: (e) => void bus.emit('to-main', JSON.parse(JSON.stringify(e))),
      receive: (h) => void bus.on('to-client', h),
    });
}

test('ESM import gives the named exports of the one CommonJS module state', () => {
  const cjs = require('@alova/native/psc');
  for (const name of [
    'AlovaIPCID',
    'ElectronSyncAdapter',
    'ExplicitCacheAdapter',
    'NodeSyncAdapter',
    'PSCAdapter',
    'createElectronPSCSynchronizer',
    'createNodePSCSynchronizer',
    'createPSCAdapter',
    'createPSCSynchronizer',
    'createSyncAdapter',
  ]) {
    assert.equal(psc[name], cjs[name], name);
    assert.notEqual(psc[name], undefined, name);
  }
  assert.equal(psc.AlovaIPCID, 'alova-default-channel');
  assert.equal(psc.default, cjs);
});

test('createSyncAdapter returns its argument; PSCAdapter is the adapter class', () => {
  const s = { send() {}, receive() {} };
  assert.equal(createSyncAdapter(s), s);
  const a = createPSCAdapter(prepareEnv()());
  assert.ok(a instanceof PSCAdapter);
  assert.ok(a.cacheAdapter instanceof ExplicitCacheAdapter);
});

test('new PSCAdapter(cacheAdapter, syncAdapter, options), as alova: the mode follows the sync adapter', () => {
  const sent = [];
  const a = new PSCAdapter(undefined, { send: (e) => void sent.push(e), receive() {} }, { scope: 's' });
  assert.ok(a instanceof PSCAdapter);
  assert.ok(a.cacheAdapter instanceof ExplicitCacheAdapter);
  assert.deepEqual(
    sent.map((e) => [e.type, e.scope, e.senderID]),
    [['init', 's', a.id]],
    'the event protocol starts with init',
  );
  assert.throws(() => new PSCAdapter(undefined, null), { name: '[alova/psc]', code: 'ERR_ALOVA_INVALID_ARG', message: 'a sync adapter is required' });
});

test('ExplicitCacheAdapter: synchronous set/get/remove/clear; getCache() is a plain-object copy', () => {
  const c = new ExplicitCacheAdapter();
  c.set('a', { x: 1 });
  const v = c.get('a');
  assert.equal(c.get('a'), v, 'the stored object itself');
  const copy = c.getCache();
  assert.deepEqual(copy, { a: { x: 1 } });
  copy.b = 1;
  assert.equal(c.get('b'), undefined);
  c.remove('a');
  assert.equal(c.get('a'), undefined);
  c.set('z', 0);
  c.clear();
  assert.deepEqual(c.getCache(), {});
});

test('NodeSyncAdapter: ready waits for the first connection', async () => {
  const keep = setInterval(() => {}, 1000);
  const id = `ready-${process.pid}`;
  const s = NodeSyncAdapter(undefined, id);
  let ready = false;
  s.ready.then(() => (ready = true));
  await tick();
  assert.equal(ready, false);
  assert.equal(s.connected, false);
  const stop = await createNodePSCSynchronizer(id);
  await s.ready;
  assert.equal(s.connected, true);
  s.stop();
  stop();
  clearInterval(keep);
});

test('a pre-filled local cache is replaced by the (empty) init snapshot; other scopes never see it', async () => {
  const client = prepareEnv();
  const local = new ExplicitCacheAdapter();
  local.set('a', 1);
  local.set('b', 2);
  createPSCAdapter(client(), local);
  const scoped = createPSCAdapter(client(), undefined, { scope: 'other' });
  await tick();
  assert.deepEqual(local.getCache(), {});
  assert.equal(scoped.get('a'), undefined);
});

test('unscoped adapters share set values; another scope does not; remove and clear propagate', async () => {
  const client = prepareEnv();
  const a = createPSCAdapter(client());
  const b = createPSCAdapter(client());
  const other = createPSCAdapter(client(), undefined, { scope: 'other' });
  await tick();
  await a.set('s', 'text');
  await a.set('n', 7);
  await b.set('o', { x: [1, { y: 2 }] });
  assert.equal(b.get('s'), 'text');
  assert.equal(b.get('n'), 7);
  assert.deepEqual(a.get('o'), { x: [1, { y: 2 }] });
  assert.equal(other.get('s'), undefined);
  await a.remove('s');
  assert.equal(b.get('s'), undefined);
  await b.clear();
  assert.equal(a.get('n'), undefined);
  assert.equal(a.get('o'), undefined);
});

test('the hub keeps scopes apart: clear and init snapshots concern one scope', async () => {
  const client = prepareEnv();
  const plain = createPSCAdapter(client());
  const x = createPSCAdapter(client(), undefined, { scope: 'x' });
  await tick();
  await plain.set('k', 'plain');
  await x.set('k', 'x');
  await x.clear();
  const late = createPSCAdapter(client());
  const lateX = createPSCAdapter(client(), undefined, { scope: 'x' });
  await tick();
  assert.equal(late.get('k'), 'plain');
  assert.equal(lateX.get('k'), undefined);
  assert.deepEqual(late.cacheAdapter.getCache(), { k: 'plain' });
});

/** A hub and client sync adapters whose deliveries each take `delay()` ms (FIFO per direction). */
function prepareAsyncEnv(delay) {
  const bus = new EventEmitter();
  // In order, as IPC delivers: one timer per message could fire out of order (timers of
  // different durations that end in the same millisecond have no set order).
  const later = (name) => {
    let tail = Promise.resolve();
    return (e) => {
      const copy = JSON.parse(JSON.stringify(e));
      const at = Date.now() + delay();
      tail = tail.then(() => new Promise((r) => setTimeout(r, at - Date.now()))).then(() => bus.emit(name, copy));
    };
  };
  const toClient = later('to-client');
  createPSCSynchronizer(createSyncAdapter({ send: toClient, receive: (h) => void bus.on('to-main', (e) => h(e)) }));
  return () => {
    const toMain = later('to-main');
    return createSyncAdapter({ send: toMain, receive: (h) => void bus.on('to-client', h) });
  };
}

/** Writes made right after creating an adapter, without awaiting, on top of existing entries. */
async function writesRightAfterCreation(client, settle) {
  const a = createPSCAdapter(client());
  await settle();
  await a.set('k', 'old');
  await a.set('keep', 'a');
  await settle();
  const w = createPSCAdapter(client());
  const writes = [w.set('k', 'new'), w.set('x', 1), w.set('y', { z: 2 })];
  await Promise.all(writes);
  const want = { k: 'new', keep: 'a', x: 1, y: { z: 2 } };
  await converges(settle, () => a.cacheAdapter.getCache(), want, 'the other copy holds the same');
  assert.deepEqual(w.cacheAdapter.getCache(), want, 'the writer keeps its own writes');
  const late = createPSCAdapter(client());
  await converges(settle, () => late.cacheAdapter.getCache(), want, 'and so does the hub');
  assert.deepEqual(w.cacheAdapter.getCache(), want, 'the writer still holds its own writes');
}

/** Waits up to 30 settles for a copy to equal `want` (a loaded machine delays a transport). */
async function converges(settle, read, want, message) {
  for (let i = 0; ; i++) {
    await settle();
    try {
      return assert.deepEqual(read(), want, message);
    } catch (error) {
      if (i === 29) throw error;
    }
  }
}

test('custom transport: init is handed over synchronously, so writes made right after converge', async () => {
  const sent = [];
  createPSCAdapter(createSyncAdapter({ send: (e) => void sent.push(e.type), receive() {} }));
  assert.deepEqual(sent, ['init'], 'sent inside the constructor');
  await writesRightAfterCreation(prepareEnv(), tick);
});

test('custom asynchronous transport: own writes made before the init snapshot arrives are kept', async () => {
  const settle = () => new Promise((r) => setTimeout(r, 60));
  await writesRightAfterCreation(prepareAsyncEnv(() => 5 + Math.random() * 10), settle);
});

test('set/remove/clear resolve once handed to the sync adapter, in call order', async () => {
  const sent = [];
  const a = createPSCAdapter(
    createSyncAdapter({
      send: async (e) => {
        await tick();
        sent.push(e.type + ':' + e.key);
      },
      receive() {},
    }),
  );
  const p = [a.set('1', 1), a.remove('1'), a.set('2', 2), a.clear()];
  await p[3];
  assert.deepEqual(sent, ['init:', 'set:1', 'remove:1', 'set:2', 'clear:']);
  await Promise.all(p);
});

test('alova instances with PSC l1 caches share responses; a late one gets them; others do not', async () => {
  const client = prepareEnv();
  const a = alovaWith(1, createPSCAdapter(client()), origin.url);
  const b = alovaWith(1, createPSCAdapter(client()), origin.url);
  const loner = alovaWith(1, undefined, origin.url);
  await tick();
  const get = (alova) => alova.Get('/unit-test', { params: { name: 'test' }, cacheFor: 60000 });
  const data = await get(a);
  assert.deepEqual(await queryCache(get(a)), data);
  assert.deepEqual(b.l1Cache.get(`$a.1${get(b).key}`)[0], data);
  const before = hits;
  assert.deepEqual(await get(b), data);
  const c = alovaWith(1, createPSCAdapter(client()), origin.url);
  await tick();
  assert.deepEqual(c.l1Cache.get(`$a.1${get(c).key}`)[0], data);
  assert.deepEqual(await get(c), data);
  assert.equal(hits, before, 'served from the shared cache, not fetched again');
  assert.equal(loner.l1Cache.get(`$a.1${get(loner).key}`), undefined);
});

test('NodeSyncAdapter: alova instances in one process share through the native hub', async () => {
  const keep = setInterval(() => {}, 1000);
  const stop = await createNodePSCSynchronizer(`proto-${process.pid}`);
  const syncs = [0, 1, 2].map(() => NodeSyncAdapter(undefined, `proto-${process.pid}`));
  await Promise.all(syncs.map((s) => s.ready));
  const [a, b, c] = [
    alovaWith(1, createPSCAdapter(syncs[0]), origin.url),
    alovaWith(1, createPSCAdapter(syncs[1]), origin.url),
    alovaWith(2, createPSCAdapter(syncs[2]), origin.url),
  ];
  const get = (alova) => alova.Get('/unit-test', { params: { name: 'test' }, cacheFor: 60000 });
  const data = await get(a);
  const key = `$a.1${get(a).key}`;
  assert.deepEqual(a.l1Cache.get(key)[0], data);
  for (let i = 0; i < 500 && !b.l1Cache.get(key); i++) await tick();
  assert.deepEqual(b.l1Cache.get(key), a.l1Cache.get(key));
  assert.equal(c.l1Cache.get(`$a.2${get(c).key}`), undefined);
  assert.throws(() => syncs[0].send({}), { code: 'ERR_ALOVA_PSC' });
  for (const s of syncs) s.stop();
  stop();
  clearInterval(keep);
});

test('NodeSyncAdapter with a custom local adapter, sync or async, receives remote writes', async () => {
  const keep = setInterval(() => {}, 1000);
  const id = `custom-${process.pid}`;
  const stop = await createNodePSCSynchronizer(id);
  const plain = () => {
    const m = {};
    return { m, set: (k, v) => void (m[k] = v), get: (k) => m[k], remove: (k) => void delete m[k], clear: () => Object.keys(m).forEach((k) => delete m[k]) };
  };
  const asyncAdapter = () => {
    const p = plain();
    return { m: p.m, set: async (k, v) => p.set(k, v), get: async (k) => p.get(k), remove: async (k) => p.remove(k), clear: async () => p.clear() };
  };
  const syncs = [0, 1, 2].map(() => NodeSyncAdapter(undefined, id));
  await Promise.all(syncs.map((s) => s.ready));
  const writer = createPSCAdapter(syncs[0]);
  const a = createPSCAdapter(syncs[1], plain());
  const b = createPSCAdapter(syncs[2], asyncAdapter());
  await writer.set('k', { v: [1, 2] });
  await writer.set('gone', 1);
  await writer.remove('gone');
  for (let i = 0; i < 500 && (a.get('k') === undefined || (await b.get('k')) === undefined); i++) await tick();
  assert.deepEqual(a.get('k'), { v: [1, 2] });
  assert.deepEqual(await b.get('k'), { v: [1, 2] });
  assert.equal(a.get('gone'), undefined);
  assert.equal(await b.get('gone'), undefined);
  await writer.clear();
  for (let i = 0; i < 500 && a.get('k') !== undefined; i++) await tick();
  assert.deepEqual(a.cacheAdapter.m, {});
  for (const s of syncs) s.stop();
  stop();
  clearInterval(keep);
});

/** Runs an ESM snippet in a fresh node process; resolves with its exit code and signal. */
async function runScript(source, timeout = 10000) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    env: { ...process.env, ALOVA_PSC_DIR: dir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  return { code, signal };
}
const entry = JSON.stringify(import.meta.resolve('@alova/native/psc'));

test('hub and clients do not keep a process alive on their own', async () => {
  const r = await runScript(`
    import { createNodePSCSynchronizer, NodeSyncAdapter, createPSCAdapter } from ${entry};
    await createNodePSCSynchronizer('alive-${process.pid}');
    const a = createPSCAdapter(NodeSyncAdapter(undefined, 'alive-${process.pid}'));
    await a.set('k', 1);
  `);
  assert.deepEqual(r, { code: 0, signal: null });
});

test('no SIGTERM handler: SIGTERM ends a process running a hub and a client', async () => {
  const r = await runScript(`
    import { createNodePSCSynchronizer, NodeSyncAdapter, createPSCAdapter } from ${entry};
    await createNodePSCSynchronizer('term-${process.pid}');
    createPSCAdapter(NodeSyncAdapter(undefined, 'term-${process.pid}'));
    setInterval(() => {}, 1000);
    assert(process.listenerCount('SIGTERM') === 0);
    function assert(ok) { if (!ok) process.exit(3); }
    process.kill(process.pid, 'SIGTERM');
  `);
  assert.deepEqual(r, { code: null, signal: 'SIGTERM' });
});
