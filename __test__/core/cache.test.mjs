// The cache model: cacheFor forms, stored shapes, L1/L2 lookup and write-through, restore mode,
// and queryCache / setCache / invalidateCache / hitCacheBySource.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createAlova, queryCache, setCache, invalidateCache, hitCacheBySource, globalConfig, globalConfigMap } from '@alova/native';
import { recordingStorage, countingAdapter } from '../helpers/core-adapters.mjs';

const instances = [];
function alovaWith(options = {}) {
  const adapter = options.requestAdapter || countingAdapter();
  const a = createAlova({ cacheLogger: false, requestAdapter: adapter, ...options });
  instances.push(a);
  return [a, adapter];
}

beforeEach(async () => {
  // Keep suites independent: earlier instances leave the global registry.
  for (const a of instances.splice(0)) a.destroy();
  globalConfig({ autoHitCache: 'global' });
});

const dataKey = (alova, m) => `$a.${alova.id}${m.key}`;

test('cacheFor as a number stores [data, ts] in L1 and serves hits until it expires', async () => {
  const [a, adapter] = alovaWith();
  const m = a.Get('/n', { cacheFor: 60 });
  const t0 = Date.now();
  await m;
  const entry = a.l1Cache.get(dataKey(a, m));
  assert.equal(entry.length, 2);
  assert.deepEqual(entry[0], { url: '/n', data: null });
  assert.ok(entry[1] >= t0 + 60 && entry[1] <= Date.now() + 60);
  await m;
  assert.equal(adapter.calls.length, 1);
  await new Promise((r) => setTimeout(r, 80));
  await m;
  assert.equal(m.fromCache, false, 'expired entries are a miss');
  assert.equal(adapter.calls.length, 2);
});

test('cacheFor forms that do not cache: 0, negative, NaN, null, undefined, false, empty, a past Date, missing expire', async () => {
  const forms = [0, -5, NaN, null, undefined, false, '', new Date(Date.now() - 1000), { mode: 'memory' }];
  for (const cacheFor of [...forms, { mode: 'restore', expire: 0 }, { mode: 'restore', expire: -1 }, { mode: 'restore' }]) {
    const l2 = recordingStorage();
    const [a, adapter] = alovaWith({ l2Cache: l2 });
    const m = a.Get('/x', { cacheFor });
    await m;
    await m;
    assert.equal(adapter.calls.length, 2, `cacheFor ${JSON.stringify(cacheFor)}`);
    assert.equal(a.l1Cache.size, 0);
    assert.deepEqual(l2.calls.filter(([op]) => op === 'set'), [], 'nothing is written to L2');
  }
});

test('Infinity stores [data]; a Date expires at that instant; tags are stringified', async () => {
  const l2 = recordingStorage();
  const [a] = alovaWith({ l2Cache: l2 });
  const inf = a.Get('/inf', { cacheFor: Infinity });
  await inf;
  assert.deepEqual(a.l1Cache.get(dataKey(a, inf)), [{ url: '/inf', data: null }]);
  const at = new Date(Date.now() + 100000);
  const d = a.Get('/date', { cacheFor: at });
  await d;
  assert.equal(a.l1Cache.get(dataKey(a, d))[1], at.getTime());
  const t = a.Get('/tag', { cacheFor: { expire: 100000, mode: 'restore', tag: 3 } });
  await t;
  const stored = l2.map.get(dataKey(a, t));
  assert.equal(stored.length, 3);
  assert.equal(stored[2], '3');
  assert.equal(a.l1Cache.get(dataKey(a, t)).length, 2, 'L1 entries never carry a tag');
});

test('expire as a function is evaluated per mode with the method', async () => {
  const l2 = recordingStorage();
  const [a] = alovaWith({ l2Cache: l2 });
  const seen = [];
  const m = a.Get('/fn', {
    cacheFor: {
      mode: 'restore',
      expire: ({ method, mode }) => {
        seen.push([method.url, mode]);
        return mode === 'memory' ? 1000 : 50000;
      },
    },
  });
  await m;
  assert.deepEqual(seen.sort(), [['/fn', 'memory'], ['/fn', 'restore']]);
  const l1ts = a.l1Cache.get(dataKey(a, m))[1];
  const l2ts = l2.map.get(dataKey(a, m))[1];
  assert.ok(l2ts - l1ts >= 48000);
});

test('a controlled cacheFor decides hits (null counts) and is never written', async () => {
  const [a, adapter] = alovaWith();
  let value;
  const m = a.Get('/ctl', { cacheFor: async () => value });
  value = undefined;
  await m;
  assert.equal(adapter.calls.length, 1);
  value = null;
  assert.equal(await m, null);
  assert.equal(m.fromCache, true);
  value = { c: 1 };
  assert.deepEqual(await m.send(true), { c: 1 }, 'force still consults a controlled cache');
  assert.equal(adapter.calls.length, 1);
  assert.deepEqual(await queryCache(m), { c: 1 });
  await setCache(m, { other: 1 });
  await invalidateCache(m);
  assert.equal(a.l1Cache.size, 0);
  const failing = a.Get('/ctl-err', {
    cacheFor: () => {
      throw new Error('controlled failure');
    },
  });
  await assert.rejects(failing.send(), /controlled failure/);
});

test('send(true) skips the lookup but writes the cache', async () => {
  const [a, adapter] = alovaWith();
  const m = a.Get('/force');
  await m;
  await m.send(true);
  assert.equal(adapter.calls.length, 2);
  assert.equal(m.fromCache, false);
  await m;
  assert.equal(m.fromCache, true);
});

test('restore mode: network writes L1 and L2; an L2 hit is copied into L1 with the same timestamp', async () => {
  for (const async of [false, true]) {
    const l2 = recordingStorage({ async, json: true });
    const [a, adapter] = alovaWith({ l2Cache: l2 });
    const m = a.Get('/r', { cacheFor: { mode: 'restore', expire: 100000 } });
    await m;
    const key = dataKey(a, m);
    const l2ts = l2.map.has(key) && JSON.parse(l2.map.get(key))[1];
    assert.ok(l2ts > Date.now());
    a.l1Cache.remove(key);
    const r = await m;
    assert.equal(m.fromCache, true);
    assert.deepEqual(r, { url: '/r', data: null });
    assert.equal(a.l1Cache.get(key)[1], l2ts, 'copied with the same expiry');
    assert.equal(adapter.calls.length, 1);
    // Tag mismatch: the L2 entry is removed and the request goes to the network.
    a.l1Cache.remove(key);
    const tagged = a.Get('/r', { cacheFor: { mode: 'restore', expire: 100000, tag: 'v2' } });
    await tagged;
    assert.equal(tagged.fromCache, false);
    assert.ok(l2.calls.some(([op, k]) => op === 'remove' && k === key));
  }
});

test('Infinity with a tag in restore mode is stored as [data, tag] and never restored', async () => {
  const l2 = recordingStorage();
  const [a, adapter] = alovaWith({ l2Cache: l2 });
  const m = a.Get('/q', { cacheFor: { mode: 'restore', expire: Infinity, tag: 't' } });
  await m;
  const key = dataKey(a, m);
  assert.deepEqual(l2.map.get(key), [{ url: '/q', data: null }, 't']);
  a.l1Cache.remove(key);
  await m;
  assert.equal(m.fromCache, false);
  assert.equal(adapter.calls.length, 2);
});

test('restore mode without an l2Cache rejects on an L1 miss; send(true) works', async () => {
  const [a] = alovaWith();
  const m = a.Get('/nol2', { cacheFor: { mode: 'restore', expire: 1000 } });
  await assert.rejects(m.send(), { name: '[alova]', message: 'l2Cache is not defined.' });
  assert.deepEqual(await m.send(true), { url: '/nol2', data: null });
  assert.deepEqual(await m.send(), { url: '/nol2', data: null }, 'L1 now answers');
});

test('memory-mode methods never touch L2 (invalidate included); restore mode removes from L2 once', async () => {
  const l2 = recordingStorage();
  const [a] = alovaWith({ l2Cache: l2 });
  const mem = a.Get('/mem');
  await mem;
  await mem;
  await invalidateCache(mem);
  assert.equal(l2.calls.filter(([op, k]) => k && k.startsWith('$a.')).length, 0);
  const res = a.Get('/res', { cacheFor: { expire: 10000, mode: 'restore' } });
  await invalidateCache(res);
  assert.deepEqual(l2.calls.filter(([op]) => op === 'remove'), [['remove', dataKey(a, res)]]);
});

test('invalidateCache() clears every registered adapter once; the placeholder L2 clear is a no-op', async () => {
  const shared = recordingStorage();
  const [a] = alovaWith({ l1Cache: shared });
  const [b] = alovaWith({ l1Cache: shared });
  const [c] = alovaWith();
  await a.Get('/1');
  await c.Get('/2');
  assert.equal(c.l1Cache.size, 1);
  await invalidateCache();
  assert.equal(shared.calls.filter(([op]) => op === 'clear').length, 1);
  assert.equal(c.l1Cache.size, 0);
  assert.ok(b);
});

test('queryCache policies', async () => {
  const l2 = recordingStorage({ async: true });
  const [a] = alovaWith({ l2Cache: l2 });
  assert.equal(await queryCache(undefined), undefined);
  const m = a.Get('/q', { cacheFor: { mode: 'restore', expire: 100000, tag: 'x' } });
  await m;
  const key = dataKey(a, m);
  a.l1Cache.remove(key);
  assert.deepEqual(await queryCache(m), { url: '/q', data: null }, "'all' falls back to L2");
  assert.equal(a.l1Cache.get(key), undefined, 'queryCache does not copy L2 into L1');
  assert.equal(await queryCache(m, { policy: 'l1' }), undefined);
  assert.deepEqual(await queryCache(m, { policy: 'l2' }), { url: '/q', data: null });
  const mem = a.Get('/mem-only');
  await mem;
  assert.deepEqual(await queryCache(mem, { policy: 'l1' }), { url: '/mem-only', data: null });
  const [noL2] = alovaWith();
  await assert.rejects(queryCache(noL2.Get('/x'), { policy: 'l2' }), /l2Cache is not defined\./);
});

test('setCache: data, updater, policies, methods without caching and falsy data', async () => {
  const l2 = recordingStorage();
  const [a] = alovaWith({ l2Cache: l2 });
  const m = a.Get('/s');
  await setCache(m, { v: 1 });
  assert.deepEqual(await queryCache(m), { v: 1 });
  await setCache(m, (old) => ({ v: old.v + 1 }));
  assert.deepEqual(await queryCache(m), { v: 2 });
  await setCache(m, () => undefined);
  assert.deepEqual(await queryCache(m), { v: 2 }, 'an updater returning undefined skips');
  await setCache(m, 0);
  assert.deepEqual(await queryCache(m), { v: 2 }, 'falsy data is not written');
  const post = a.Post('/p', {});
  await setCache(post, { v: 1 });
  assert.equal(await queryCache(post), undefined, 'POST is not cached by default');
  const r = a.Get('/r', { cacheFor: { mode: 'restore', expire: 100000, tag: 't' } });
  await setCache(r, { v: 'both' });
  assert.deepEqual(l2.map.get(dataKey(a, r)).slice(0, 1), [{ v: 'both' }]);
  assert.equal(l2.map.get(dataKey(a, r))[2], 't');
  await setCache(r, { v: 'l2 only' }, { policy: 'l2' });
  assert.deepEqual(await queryCache(r, { policy: 'l1' }), { v: 'both' });
  assert.deepEqual(await queryCache(r, { policy: 'l2' }), { v: 'l2 only' });
  a.l1Cache.remove(dataKey(a, r));
  await setCache(r, (old) => ({ v: old.v + '!' }));
  assert.deepEqual(await queryCache(r, { policy: 'l1' }), { v: 'l2 only!' }, 'the updater read L2 on an L1 miss');
  await setCache([m, r], { v: 'many' }, { policy: 'l1' });
  assert.deepEqual(await queryCache(m), { v: 'many' });
});

test('hitSource: a source by method, name or RegExp invalidates its targets; index keys', async () => {
  // With an l2Cache, invalidation completes before the send resolves (no placeholder rejection).
  const [a] = alovaWith({ l2Cache: recordingStorage() });
  const save = a.Post('/save', { id: 1 });
  const byMethod = a.Get('/t1', { hitSource: save });
  const byName = a.Get('/t2', { hitSource: 'saver' });
  const byRegexp = a.Get('/t3', { hitSource: [/^sav/i, 'other'] });
  await Promise.all([byMethod.send(), byName.send(), byRegexp.send()]);
  assert.deepEqual(a.l1Cache.get('hss.' + save.key), { [dataKey(a, byMethod)]: 0 });
  assert.deepEqual(a.l1Cache.get('hss.saver'), { [dataKey(a, byName)]: 0 });
  assert.deepEqual(a.l1Cache.get('hsr.^sav__$<>$__i'), { [dataKey(a, byRegexp)]: 0 });
  assert.deepEqual(a.l1Cache.get('$$hsrs'), ['^sav__$<>$__i']);
  // The POST by itself (no name) hits only targets listing its key.
  await save.send();
  assert.equal(await queryCache(byMethod), undefined);
  assert.ok(await queryCache(byName));
  assert.equal(a.l1Cache.get('hss.' + save.key), undefined, 'emptied indexes are removed');
  // A named source hits string and RegExp targets.
  await a.Post('/save2', {}, { name: 'Saver' }).send();
  assert.ok(await queryCache(byName), 'names are case-sensitive');
  assert.equal(await queryCache(byRegexp), undefined);
  assert.deepEqual(a.l1Cache.get('$$hsrs'), []);
  await a.Post('/save3', {}, { name: 'saver' }).send();
  assert.equal(await queryCache(byName), undefined);
});

test('hitCacheBySource runs after beforeRequest: a name set on the clone counts', async () => {
  const [a] = alovaWith({
    l2Cache: recordingStorage(),
    beforeRequest(m) {
      if (m.type === 'POST') m.setName('renamed');
    },
  });
  const target = a.Get('/target', { hitSource: 'renamed' });
  await target;
  await a.Post('/x', {});
  assert.equal(await queryCache(target), undefined);
});

test('autoHitCache: global across instances, self, close', async () => {
  const [a] = alovaWith({ l2Cache: recordingStorage() });
  const [b] = alovaWith({ l2Cache: recordingStorage() });
  const src = () => b.Post('/src', {}, { name: 'src' });
  const target = a.Get('/tgt', { hitSource: 'src' });
  await target;
  globalConfig({ autoHitCache: 'close' });
  await src();
  assert.ok(await queryCache(target));
  globalConfig({ autoHitCache: 'self' });
  await src();
  assert.ok(await queryCache(target), 'another instance is untouched in self mode');
  await a.Post('/src', {}, { name: 'src' });
  assert.equal(await queryCache(target), undefined);
  await target;
  globalConfig({ autoHitCache: 'global' });
  assert.equal(globalConfigMap.autoHitCache, 'global');
  await src();
  assert.equal(await queryCache(target), undefined, 'global mode reaches other instances');
});

test('a direct hitCacheBySource rejects when a registered instance has no l2Cache; send swallows it', async () => {
  const [a] = alovaWith();
  const target = a.Get('/tgt', { hitSource: 'src' });
  await target;
  const source = a.Post('/src', {}, { name: 'src' });
  await assert.rejects(hitCacheBySource(source), /l2Cache is not defined\./);
  globalConfig({ autoHitCache: 'self' });
  const [b] = alovaWith({ l2Cache: recordingStorage() });
  const t2 = b.Get('/t2', { hitSource: 'src2' });
  await t2;
  await hitCacheBySource(b.Post('/s', {}, { name: 'src2' }));
  assert.equal(await queryCache(t2), undefined);
  // In a send, the rejection is swallowed.
  globalConfig({ autoHitCache: 'global' });
  assert.deepEqual(await a.Post('/src', {}, { name: 'src' }).send(), { url: '/src', data: {} });
});

test('special request bodies are never cached', async () => {
  const [a, adapter] = alovaWith({ cacheFor: { POST: 100000 } });
  const form = new FormData();
  form.append('a', '1');
  const m = a.Post('/form', form);
  await m;
  await m;
  assert.equal(adapter.calls.length, 2);
  const typed = a.Post('/typed', new Uint8Array([1, 2]));
  await typed;
  await typed;
  assert.equal(adapter.calls.length, 3, 'typed arrays are not special');
});

test('instances with equal ids share cached data', async () => {
  const [a, adapter] = alovaWith({ id: 'shared-ns' });
  const [b] = alovaWith({ id: 'shared-ns', requestAdapter: adapter, l1Cache: a.l1Cache });
  await a.Get('/same');
  await b.Get('/same');
  assert.equal(adapter.calls.length, 1);
});

test('custom sync and async L1 adapters work as in alova', async () => {
  for (const async of [false, true]) {
    const l1 = recordingStorage({ async });
    const [a, adapter] = alovaWith({ l1Cache: l1 });
    const m = a.Get('/custom-l1');
    await m;
    await m;
    assert.equal(adapter.calls.length, 1);
    assert.equal(m.fromCache, true);
    const dataCalls = l1.calls.filter(([, k]) => k.startsWith('$a.'));
    assert.deepEqual(dataCalls.map(([op]) => op), ['get', 'set', 'get']);
    assert.ok(l1.calls.some(([op, k]) => op === 'get' && k === 'hss.' + m.key), 'hit-source index read');
    await invalidateCache(m);
    assert.equal(l1.map.size, 0);
  }
});

test('without an l2Cache, a source resolves only after its targets are invalidated (slow L1)', async () => {
  const map = new Map();
  const delay = () => new Promise((r) => setTimeout(r, 5));
  const slowL1 = {
    async get(k) {
      await delay();
      return map.get(k);
    },
    async set(k, v) {
      await delay();
      map.set(k, v);
    },
    async remove(k) {
      await delay();
      map.delete(k);
    },
    clear: () => map.clear(),
  };
  const [a] = alovaWith({ l1Cache: slowL1 });
  const target = a.Get('/t', { hitSource: 'save' });
  await target;
  assert.ok(map.has(dataKey(a, target)));
  await a.Post('/s', {}, { name: 'save' });
  assert.equal(map.has(dataKey(a, target)), false, 'no window in which the source resolved but the target is still cached');
  // A direct call still rejects because of the placeholder, as in alova.
  await assert.rejects(hitCacheBySource(a.Post('/s', {}, { name: 'save' })), /l2Cache is not defined\./);
});

test('a direct hitCacheBySource visits every adapter even after a placeholder L2 threw', async () => {
  // Registered first, so its placeholder L2 is read before the L2 holding the target.
  alovaWith();
  const l2Cache = recordingStorage();
  const [b] = alovaWith({ l2Cache, cacheFor: { GET: { mode: 'restore', expire: 60_000 } } });
  const target = b.Get('/late-target', { hitSource: 'late-src' });
  await target;
  const stored = () => [...l2Cache.map.keys()].filter((k) => k.includes('/late-target'));
  assert.equal(stored().length, 1);
  await assert.rejects(hitCacheBySource(b.Post('/s', {}, { name: 'late-src' })), /l2Cache is not defined\./);
  assert.deepEqual(stored(), [], 'the target left the later L2 too');
});

test('a destroyed instance’s adapters leave hit-source invalidation at once', async () => {
  const gone = recordingStorage();
  const [a] = alovaWith({ l1Cache: gone });
  const [b] = alovaWith();
  await b.Get('/x', { cacheFor: null }).send();
  assert.ok(gone.calls.some(([op, key]) => op === 'get' && key.startsWith('hss.')), 'global autoHitCache reads every L1');
  a.destroy();
  gone.calls.length = 0;
  await b.Get('/y', { cacheFor: null }).send();
  assert.deepEqual(gone.calls, []);
  const c = alovaWith({ l1Cache: gone })[0];
  await b.Get('/z', { cacheFor: null }).send();
  assert.ok(gone.calls.some(([op, key]) => op === 'get' && key.startsWith('hss.')), 'a new instance joins again');
  c.destroy();
});
