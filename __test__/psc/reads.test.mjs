// What a read costs in a worker whose copy is kept by a native replica: an unchanged key is
// served from the local Map after two counter reads (no native call, no clock read), and a key
// another process changed is fetched and parsed once, on its first read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createPSCAdapter, NodeSyncAdapter, createNodePSCSynchronizer } from '@alova/native/psc';

// The addon's exports, as the adapters call them (a replica's id calls: pscTake, pscDrainKeys).
const binding = createRequire(import.meta.url)('../../binding.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-reads-'));
process.env.ALOVA_PSC_DIR = dir;
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Counts the calls of `names` on `obj` (own properties shadowing the prototype's methods, or
 * the addon's functions) until test `t` ends.
 */
function countCalls(t, obj, names) {
  const counts = Object.fromEntries(names.map((n) => [n, 0]));
  for (const n of names) {
    const orig = obj[n];
    obj[n] = function (...args) {
      counts[n]++;
      return orig.apply(this, args);
    };
    t.after(() => (obj[n] = orig));
  }
  return counts;
}

/** Two adapters on one hub, closed when test `t` ends (passed or not). */
async function pair(t, id) {
  // The hub and its clients do not keep a process alive on their own.
  const keep = setInterval(() => {}, 1000);
  const stop = await createNodePSCSynchronizer(id);
  const syncs = [NodeSyncAdapter(undefined, id), NodeSyncAdapter(undefined, id)];
  await Promise.all(syncs.map((s) => s.ready));
  const [a, b] = syncs.map((s) => createPSCAdapter(s));
  t.after(() => {
    for (const s of syncs) s.stop();
    stop();
    clearInterval(keep);
  });
  return { a, b };
}

async function until(check) {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

test('an unchanged key is read without a native call or a clock read; a changed key is parsed once', async (t) => {
  const { a, b } = await pair(t, `reads-${process.pid}`);
  const entry = [{ name: 'x' }, Date.now() + 600_000];
  await a.set('x', entry);
  await a.set('y', 1);
  await until(() => b.get('y') === 1 && b.get('x') !== undefined);
  assert.deepEqual(b.get('x'), entry);

  const methods = countCalls(t, b._replica, ['get', 'drain']);
  const native = countCalls(t, binding, ['pscTake', 'pscDrainKeys']);
  const realNow = Date.now;
  let clock = 0;
  Date.now = () => (clock++, realNow());
  try {
    for (let i = 0; i < 1000; i++) assert.deepEqual(b.get('x'), entry);
    assert.deepEqual({ ...methods, ...native }, { get: 0, drain: 0, pscTake: 0, pscDrainKeys: 0 });
    assert.equal(clock, 0, 'no clock read per read');
  } finally {
    Date.now = realNow;
  }

  await a.set('y', 2);
  await until(() => b.get('y') === 2);
  for (let i = 0; i < 1000; i++) {
    assert.deepEqual(b.get('x'), entry);
    assert.equal(b.get('y'), 2);
  }
  // The changed key's JSON came with the drain (one native call in all); the unchanged key's
  // value was never fetched again.
  assert.equal(native.pscTake, 0);
  assert.ok(native.pscDrainKeys >= 1 && native.pscDrainKeys <= 2, `drains: ${native.pscDrainKeys}`);
  assert.equal(b._replica.get('y'), null, 'handed over: held by this copy only');
});

test("while others write to the shared log, a read looks at its key's slot: fresh for any key, the log read only for a changed one", async (t) => {
  const { a, b } = await pair(t, `reads-slots-${process.pid}`);
  // Keys whose UTF-16 code units differ from their UTF-8 bytes, long ones, separators.
  const keys = ['plain', 'é', 'ключ', '😀 emoji', 'x'.repeat(300) + 'é', 'a\0b', '', '$a.1["GET","/users/1",{},null,{}]'];
  for (const k of keys) await a.set(k, 0);
  await until(() => keys.every((k) => b.get(k) === 0));
  for (const [i, k] of keys.entries()) {
    await a.set(k, i + 1);
    assert.equal(b.get(k), i + 1, `fresh at once: ${JSON.stringify(k)}`);
  }
  // The hub's copies of these writes reach b's connection first; it reads the log then, and
  // moves no counter: the key slots still show b's reads what changed.
  for (const [i, k] of keys.entries()) await a.set(k, 100 + i);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(keys.map((k) => b.get(k)), keys.map((_, i) => 100 + i));

  const native = countCalls(t, binding, ['pscDrainKeys']);
  await a.set('plain', 'changed');
  for (let i = 0; i < 100; i++) assert.equal(b.get('ключ'), 102);
  assert.equal(native.pscDrainKeys, 0, 'another key changed: the log is not read');
  assert.equal(b.get('plain'), 'changed');
  assert.equal(native.pscDrainKeys, 1);
  // A listing takes every change, read or not.
  await a.set('plain', 'listed');
  assert.equal(b.cacheAdapter.getCache().plain, 'listed');
});

test('a clear read from the shared log ahead of the stream keeps the writes that follow it', async (t) => {
  const { a, b } = await pair(t, `reads-clear-${process.pid}`);
  await a.set('before', 1);
  await until(() => b.get('before') === 1);
  // The stream's copy of 'x' has b's connection read the log past the clear and the sets;
  // the stream's copy of the clear then comes after them.
  await a.set('x', 1);
  await a.clear();
  for (let i = 0; i < 2000; i++) await a.set(`k${i}`, i);
  await until(() => b._replica.size === 2000);
  const copy = b.cacheAdapter.getCache();
  assert.equal(Object.keys(copy).length, 2000);
  assert.equal(copy.k1999, 1999);
  assert.equal(copy.before, undefined);
});

test('a value written already expired is not kept; one that expires later leaves every copy unread', async (t) => {
  const { a, b } = await pair(t, `reads-exp-${process.pid}`);
  await a.set('past', [{ v: 1 }, Date.now() - 1]);
  assert.equal(a.get('past'), undefined);
  const soon = [{ v: 2 }, Date.now() + 200];
  await a.set('soon', soon);
  await until(() => b.get('soon') !== undefined);
  assert.deepEqual(b.get('soon'), soon);
  assert.equal(b.get('past'), undefined);
  // The replicas drop it when it expires (their transport threads' sweep); reads see that
  // through the change counter.
  await until(() => a.get('soon') === undefined && b.get('soon') === undefined);
  assert.ok(Date.now() >= soon[1]);
});

test('an expiry the JSON gives but the value hides (toJSON, a Number object) leaves every copy too', async (t) => {
  const { a, b } = await pair(t, `reads-hidden-exp-${process.pid}`);
  const at = Date.now() + 300;
  const values = {
    whole: { toJSON: () => [{ v: 1 }, at] },
    boxed: [{ v: 2 }, new Number(at)],
    slot: [{ v: 3 }, { toJSON: () => at }],
  };
  for (const [key, value] of Object.entries(values)) await a.set(key, value);
  for (const [key, value] of Object.entries(values)) {
    await until(() => b.get(key) !== undefined);
    assert.deepEqual(b.get(key), JSON.parse(JSON.stringify(value)));
  }
  await until(() => Object.keys(values).every((key) => a.get(key) === undefined && b.get(key) === undefined));
  assert.ok(Date.now() >= at);
});

test('one copy per process: a value read (or written) here is held parsed, not also as JSON', async (t) => {
  const { a, b } = await pair(t, `reads-one-${process.pid}`);
  await a.set('k', { big: 'x'.repeat(1000) });
  await until(() => b.get('k') !== undefined);
  assert.equal(b.get('k').big.length, 1000);
  // Both replicas keep the key and its size, not its JSON.
  assert.equal(a._replica.get('k'), null);
  assert.equal(b._replica.get('k'), null);
  assert.equal(b._replica.size, 1);
  assert.ok(b.stats().bytes > 1000);
  // A full reload (another process's clear, then a write) keeps nothing stale.
  await a.clear();
  await a.set('j', 1);
  await until(() => b.get('j') === 1);
  assert.equal(b.get('k'), undefined);
});

test('a restarted hub gets back the values the readers hold', async (t) => {
  const keep = setInterval(() => {}, 1000);
  const id = `reads-restart-${process.pid}`;
  let stop = await createNodePSCSynchronizer(id);
  const syncs = [NodeSyncAdapter(undefined, id), NodeSyncAdapter(undefined, id)];
  t.after(() => {
    for (const s of syncs) s.stop();
    stop();
    clearInterval(keep);
  });
  await Promise.all(syncs.map((s) => s.ready));
  const [a, b] = syncs.map((s) => createPSCAdapter(s));
  await a.set('held', { v: 1 });
  await until(() => b.get('held') !== undefined);
  assert.equal(b._replica.get('held'), null, 'only the parsed value is left');
  // Handed to b's copy with a drain and not read yet: its JSON is the one copy left.
  await a.set('unread', { v: 2 });
  await until(() => (b._drain(), Boolean(b.cacheAdapter._map.get('unread')?.json)));
  a.cacheAdapter.remove('unread'); // a's own copy gone too: only b can give it back
  stop();
  stop = await createNodePSCSynchronizer(id);
  const late = NodeSyncAdapter(undefined, id);
  syncs.push(late);
  const c = createPSCAdapter(late);
  await until(() => c.get('held') !== undefined);
  assert.deepEqual(c.get('held'), { v: 1 });
  assert.deepEqual(b.get('held'), { v: 1 });
  await until(() => c.get('unread') !== undefined);
  assert.deepEqual(c.get('unread'), { v: 2 });
  assert.deepEqual(b.get('unread'), { v: 2 });
});

test('a late copy is ready without naming the snapshot: an absent key is taken from the replica while entries are unlisted', async (t) => {
  const { a } = await pair(t, `reads-late-${process.pid}`);
  for (let i = 0; i < 100; i++) await a.set(`k${i}`, [{ i }, Date.now() + 600_000]);
  const sync = NodeSyncAdapter(undefined, `reads-late-${process.pid}`);
  t.after(() => sync.stop());
  await sync.ready;
  const c = createPSCAdapter(sync);
  const native = countCalls(t, binding, ['pscTake']);
  const methods = countCalls(t, c._replica, ['listUnlisted']);
  const drainKeys = binding.pscDrainKeys;
  const drains = [];
  binding.pscDrainKeys = function (id) {
    const text = drainKeys(id);
    if (id === c._id) drains.push(text);
    return text;
  };
  t.after(() => (binding.pscDrainKeys = drainKeys));
  await until(() => c._entries() === 100 && (c.get('none'), c._counter[1] === 100));
  // The full drain named none of the 100 keys.
  assert.ok(drains.some((d) => d[0] === '1') && drains.every((d) => d.length < 16), JSON.stringify(drains));
  assert.equal(c.stats().received, 100);
  // A key that is not a string is never in the replica: not asked for there.
  for (const k of [NaN, Infinity, 12, undefined, null, {}]) assert.equal(c.get(k), undefined);

  const takes = native.pscTake;
  assert.deepEqual(c.get('k5'), [{ i: 5 }, c.get('k5')[1]]);
  assert.equal(native.pscTake, takes + 1, 'taken from the replica once');
  assert.equal(c._counter[1], 99);
  for (let i = 0; i < 100; i++) c.get('k5');
  assert.equal(native.pscTake, takes + 1, 'then held here');
  assert.equal(c._replica.get('k5'), null, 'one copy: the parsed value');

  // Another process changes an unlisted key: named by the next drain, read once.
  await a.set('k6', 'new');
  await until(() => c.get('k6') === 'new');
  assert.equal(c._counter[1], 98);
  await a.remove('k7');
  await until(() => c._entries() === 99);
  assert.equal(c.get('k7'), undefined);
  assert.equal(c._counter[1], 97);

  // An own write replaces an unlisted entry: held here, no longer unlisted.
  await c.set('k8', 8);
  assert.equal(c._counter[1], 96);
  assert.equal(c.get('k8'), 8);

  // getCache names every entry; after it, an absent key costs no native call.
  const all = c.cacheAdapter.getCache();
  assert.equal(Object.keys(all).length, 99);
  assert.deepEqual(all.k50, [{ i: 50 }, all.k50[1]]);
  assert.equal(methods.listUnlisted, 1);
  assert.equal(c._counter[1], 0);
  const before = native.pscTake;
  assert.equal(c.get('absent'), undefined);
  assert.equal(native.pscTake, before);
});
