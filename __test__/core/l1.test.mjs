// The default L1 cache: a synchronous store with LRU limits by count and bytes, expiry that
// runs without reads, stats and alova's memory-adapter events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { createAlova, L1Cache } from '@alova/native';
import { countingAdapter } from '../helpers/core-adapters.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

async function eventually(check, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('get/set/remove/clear are synchronous and store references', () => {
  const c = new L1Cache();
  const v = [{ a: 1 }];
  assert.equal(c.set('k', v), undefined);
  assert.equal(c.get('k'), v);
  assert.equal(c.get('missing'), undefined);
  assert.ok(c.has('k'));
  assert.equal(c.size, 1);
  assert.deepEqual([...c.keys()], ['k']);
  c.set('k', 'replaced');
  assert.equal(c.get('k'), 'replaced');
  assert.equal(c.size, 1);
  c.remove('k');
  c.remove('never');
  assert.equal(c.get('k'), undefined);
  c.set('a', 1);
  c.set('b', 2);
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.stats().entries, 0);
  assert.equal(c.stats().bytes, 0);
});

test('options are validated', () => {
  for (const bad of [{ maxEntries: -1 }, { maxBytes: 'x' }, { ttl: NaN }, { sweepInterval: -2 }, { sizeOf: 5 }]) {
    assert.throws(() => new L1Cache(bad), TypeError);
  }
  assert.deepEqual(new L1Cache().limits, { maxEntries: 100000, maxBytes: 268435456, ttl: 0 });
});

test('evicts the least recently used entry beyond maxEntries, reads included', () => {
  const c = new L1Cache({ maxEntries: 3 });
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3);
  c.get('a');
  c.set('d', 4);
  assert.deepEqual([...c.keys()].sort(), ['a', 'c', 'd']);
  // Many reads (more than one batch of recorded touches) keep their order exact.
  for (let i = 0; i < 5000; i++) c.get(i % 2 ? 'c' : 'a');
  c.get('a');
  c.get('d');
  c.set('e', 5);
  assert.deepEqual([...c.keys()].sort(), ['a', 'd', 'e'], 'c was the least recently read');
  const s = c.stats();
  assert.equal(s.evictions, 2);
  assert.equal(s.entries, 3);
});

test('evicts by bytes; an entry larger than maxBytes is not kept', () => {
  const c = new L1Cache({ maxBytes: 100, sizeOf: (v) => v.length });
  c.set('a', 'x'.repeat(60));
  c.set('b', 'x'.repeat(30));
  assert.equal(c.stats().bytes, 90);
  c.set('c', 'x'.repeat(30));
  assert.deepEqual([...c.keys()].sort(), ['b', 'c']);
  c.set('huge', 'x'.repeat(500));
  assert.equal(c.has('huge'), false);
  assert.deepEqual([...c.keys()].sort(), ['b', 'c'], 'an oversized entry does not flush the others');
  assert.ok(c.stats().bytes <= 100);
  // The default estimator counts the contents of values.
  const d = new L1Cache({ maxBytes: 10_000 });
  d.set('small', [{ id: 1 }]);
  d.set('big', ['y'.repeat(20_000)]);
  assert.equal(d.has('big'), false);
  assert.ok(d.has('small'));
});

test('expired entries leave without being read', async () => {
  const c = new L1Cache({ sweepInterval: 10 });
  c.set('$a.1x', [{ v: 1 }, Date.now() + 50]);
  c.set('$a.1y', [{ v: 2 }, Date.now() + 60_000]);
  c.set('$a.1z', [{ v: 3 }]);
  await eventually(() => c.size === 2);
  assert.equal(c.has('$a.1x'), false);
  assert.equal(c.stats().expirations, 1);
  assert.equal(c.stats().hits + c.stats().misses, 0, 'nothing was read');
  // `ttl` covers values that carry no expiry.
  const t = new L1Cache({ ttl: 30, sweepInterval: 10 });
  t.set('plain', { v: 1 });
  await eventually(() => t.size === 0);
});

test('stats count hits, misses, evictions and bytes', () => {
  const c = new L1Cache({ maxEntries: 1, sizeOf: () => 7 });
  c.set('a', 1);
  c.get('a');
  c.get('a');
  c.get('nope');
  c.set('b', 2);
  assert.deepEqual(c.stats(), { entries: 1, bytes: 7, hits: 2, misses: 1, evictions: 1, expirations: 0 });
});

test('emits alova memory-adapter events when listened to', () => {
  const c = new L1Cache();
  const events = [];
  const off = c.emitter.on('success', (e) => events.push([e.type, e.key, e.value, e.container === c]));
  c.set('k', 1);
  c.get('k');
  c.get('missing');
  c.remove('k');
  c.clear();
  off();
  c.set('quiet', 1);
  assert.deepEqual(events, [
    ['set', 'k', 1, true],
    ['get', 'k', 1, true],
    ['get', 'missing', undefined, true],
    ['remove', 'k', undefined, true],
    ['clear', '', undefined, true],
  ]);
});

test('an evicted hit-source index takes its targets along; $$hsrs is never evicted', () => {
  const c = new L1Cache({ maxEntries: 3 });
  c.set('$$hsrs', ['x']);
  c.set('$a.1t', ['target']);
  c.set('hss.src', { '$a.1t': 0 });
  c.get('$a.1t');
  c.set('$a.1u', ['other']);
  // hss.src was least recently used: evicted, and its target with it.
  assert.equal(c.has('hss.src'), false);
  assert.equal(c.has('$a.1t'), false, 'a target that could no longer be invalidated is dropped');
  assert.ok(c.has('$$hsrs'));
  assert.ok(c.has('$a.1u'));
});

test('1M distinct keys with a 10k-entry limit keep memory bounded', () => {
  const c = new L1Cache({ maxEntries: 10_000 });
  gc();
  const base = process.memoryUsage().heapUsed;
  const ts = Date.now() + 3_600_000;
  for (let i = 0; i < 1_000_000; i++) c.set(`$a.1["GET","/item/${i}",{},null,{}]`, [{ id: i, name: 'item' }, ts]);
  assert.equal(c.size, 10_000);
  assert.equal(c.stats().entries, 10_000);
  assert.equal(c.stats().evictions, 990_000);
  gc();
  const grown = process.memoryUsage().heapUsed - base;
  assert.ok(grown < 40 * 1024 * 1024, `heap grew by ${grown} bytes`);
  assert.ok(c.get('$a.1["GET","/item/999999",{},null,{}]'));
  assert.equal(c.get('$a.1["GET","/item/0",{},null,{}]'), undefined);
});

test('the expiry timer never keeps a process alive', () => {
  const entry = fileURLToPath(new URL('../../index.js', import.meta.url));
  const code = `const { L1Cache } = require(${JSON.stringify(entry)}); const c = new L1Cache(); c.set('k', ['v', Date.now() + 600000]); c.set('j', ['v', Date.now() + 2000]);`;
  const r = spawnSync(process.execPath, ['-e', code], { timeout: 10_000 });
  assert.equal(r.status, 0, String(r.stderr));
  assert.ok(!r.error, 'exited on its own');
});

test('is the default l1Cache of createAlova and serves hits', async () => {
  const a = createAlova({ requestAdapter: countingAdapter(), cacheLogger: false });
  assert.ok(a.l1Cache instanceof L1Cache);
  assert.notEqual(createAlova({ requestAdapter: countingAdapter() }).l1Cache, a.l1Cache, 'one per instance');
  const m = a.Get('/l1');
  await m;
  await m;
  await m;
  const s = a.l1Cache.stats();
  assert.equal(s.hits, 2);
  assert.ok(s.entries >= 1);
});

test('hit-source invalidation through the default L1 after its index entries were removed, evicted or cleared', async () => {
  const adapter = countingAdapter(() => ({ ok: true }));
  const alova = createAlova({ requestAdapter: adapter, responded: (r) => r, cacheLogger: false, l1Cache: new L1Cache({ maxEntries: 6 }) });
  const l1 = alova.l1Cache;
  const source = () => alova.Post('/source', {}, { name: 'src-name' });
  // One target names the source, the other gives its method (indexed under the source's key).
  const byName = () => alova.Get('/by-name', { hitSource: 'src-name' });
  const byKey = () => alova.Get('/by-key', { hitSource: source() });
  const cycle = async (label) => {
    await byName().send();
    await byKey().send();
    assert.equal(l1.has('hss.src-name'), true, `${label}: the index entries are written`);
    assert.equal(l1.has('hss.' + source().key), true);
    const calls = adapter.calls.length;
    await byName().send();
    await byKey().send();
    assert.equal(adapter.calls.length, calls, `${label}: the targets are cached`);
    const misses = l1.stats().misses;
    await source().send();
    assert.ok(l1.stats().misses > misses, `${label}: index lookups count as misses`);
    assert.equal(l1.has('hss.src-name'), false, `${label}: the source's response removed the indexes`);
    assert.equal(l1.has('hss.' + source().key), false);
    await byName().send();
    await byKey().send();
    assert.equal(adapter.calls.length, calls + 3, `${label}: and the targets`);
  };
  await cycle('first');
  await cycle('after the indexes were removed');
  // Evicted: other entries push the index entries out (their targets go with them).
  for (let i = 0; i < 6; i++) l1.set(`$a.x${i}`, [i]);
  assert.equal(l1.size, 6);
  assert.equal(l1.has('hss.src-name'), false);
  await cycle('after eviction');
  l1.clear();
  await cycle('after clear');
});

test('a send with no index entry held reads the index key as a miss, and emits its get when listened to', async () => {
  const alova = createAlova({ requestAdapter: countingAdapter(), responded: (r) => r, cacheFor: null, cacheLogger: false });
  const l1 = alova.l1Cache;
  await alova.Get('/a').send();
  // Two reads per uncached send: its data key, then the hit-source index of its key.
  assert.deepEqual([l1.stats().hits, l1.stats().misses], [0, 2]);
  const seen = [];
  l1.emitter.on('success', (e) => seen.push([e.type, e.key]));
  const m = alova.Get('/b');
  await m.send();
  assert.deepEqual(seen, [
    ['get', '$a.' + alova.id + m.key],
    ['get', 'hss.' + m.key],
  ]);
  assert.equal(l1.stats().misses, 4);
});
