// The data a send resolves is the caller's own wherever alova 3.5.5 isolates it (a deep copy):
// changing it changes no cache entry, no value a handler or transform kept, no other sender's
// result. The pipeline skips the copy only for a fresh parse of the response body that no
// cache holds; these cases show nothing could tell the difference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as alova from 'alova';
import * as ours from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer } from '../helpers/servers.mjs';

const ORIGINAL = () => ({ list: [{ id: 1, tags: ['a'] }], meta: { page: 1 } });

/** An adapter that answers the same object every time (as a mock or a memo would). */
function constantAdapter(value, { delay = 0 } = {}) {
  return () => ({
    response: () => new Promise((r) => setTimeout(() => r(value), delay)),
    headers: async () => ({}),
    abort() {},
  });
}

const failingAdapter = () => () => ({
  response: () => Promise.reject(new Error('down')),
  headers: async () => ({}),
  abort() {},
});

function mutate(data) {
  data.list[0].tags.push('changed');
  data.list.push({ id: 2 });
  data.meta.page = 99;
  data.added = true;
}

/** Runs `check(lib)` for alova 3.5.5 and @alova/native, each with a fresh instance id. */
async function bothLibs(check) {
  for (const [name, lib] of [['alova 3.5.5', alova], ['@alova/native', ours]]) {
    await check(lib, name);
  }
}

test('uncached: the value the response handler returned is left as it was', async () => {
  await bothLibs(async (lib, name) => {
    const kept = ORIGINAL();
    const inst = lib.createAlova({ requestAdapter: constantAdapter(kept), responded: (r) => r, cacheFor: null, cacheLogger: false });
    const data = await inst.Get('/x').send();
    assert.notEqual(data, kept, name);
    mutate(data);
    assert.deepEqual(kept, ORIGINAL(), name);
    assert.deepEqual(await inst.Get('/x').send(), ORIGINAL(), name);
  });
});

test('cached in L1: the hit serves the data as it was stored, not as the caller changed it', async () => {
  await bothLibs(async (lib, name) => {
    const inst = lib.createAlova({ requestAdapter: constantAdapter(ORIGINAL()), responded: (r) => r, cacheLogger: false });
    mutate(await inst.Get('/cached').send());
    assert.deepEqual(await inst.Get('/cached').send(), ORIGINAL(), name);
  });
});

test('restore mode with an L2 that keeps references: the stored entry is left as it was', async () => {
  await bothLibs(async (lib, name) => {
    const store = new Map();
    const l2Cache = { set: (k, v) => void store.set(k, v), get: (k) => store.get(k), remove: (k) => void store.delete(k), clear() {} };
    const l1Cache = { set() {}, get() {}, remove() {}, clear() {} };
    const inst = lib.createAlova({
      requestAdapter: constantAdapter(ORIGINAL()),
      responded: (r) => r,
      l1Cache,
      l2Cache,
      cacheFor: { GET: { mode: 'restore', expire: 60_000 } },
      cacheLogger: false,
    });
    mutate(await inst.Get('/restore').send());
    assert.deepEqual([...store.values()][0][0], ORIGINAL(), name);
    assert.deepEqual(await inst.Get('/restore').send(), ORIGINAL(), name);
  });
});

test('transform: the value it returned (and may keep) is left as it was', async () => {
  await bothLibs(async (lib, name) => {
    let kept;
    const inst = lib.createAlova({ requestAdapter: constantAdapter(ORIGINAL()), responded: (r) => r, cacheFor: null, cacheLogger: false });
    const data = await inst.Get('/t', { transform: (d) => (kept = { ...d, list: d.list, meta: d.meta }) }).send();
    mutate(data);
    assert.deepEqual(kept, ORIGINAL(), name);
  });
});

test('request sharing: each sender gets its own copy', async () => {
  await bothLibs(async (lib, name) => {
    const inst = lib.createAlova({ requestAdapter: constantAdapter(ORIGINAL(), { delay: 10 }), responded: (r) => r, cacheFor: null, cacheLogger: false });
    const [a, b] = await Promise.all([inst.Get('/shared').send(), inst.Get('/shared').send()]);
    assert.notEqual(a, b, name);
    mutate(a);
    assert.deepEqual(b, ORIGINAL(), name);
  });
});

test('onError recovery: the value the error handler returned is left as it was', async () => {
  await bothLibs(async (lib, name) => {
    const fallback = ORIGINAL();
    const inst = lib.createAlova({
      requestAdapter: failingAdapter(),
      responded: { onSuccess: (r) => r, onError: () => fallback },
      cacheFor: null,
      cacheLogger: false,
    });
    mutate(await inst.Get('/down').send());
    assert.deepEqual(fallback, ORIGINAL(), name);
  });
});

describeNativeFetch();

/** The same guarantees through the native fetch adapter, where `r.json()` is a fresh parse. */
function describeNativeFetch() {
  let origin;
  let served = 0;
  before(async () => {
    origin = await startHttpServer((req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      setTimeout(() => res.end(JSON.stringify(ORIGINAL())), 5);
    });
  });
  after(() => origin.close());

  const make = (options) =>
    ours.createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), responded: (r) => r.json(), cacheLogger: false, ...options });

  test('native fetch, r.json() cached in L1: the hit serves the data as stored', async () => {
    const inst = make({});
    mutate(await inst.Get('/a').send());
    const before = served;
    assert.deepEqual(await inst.Get('/a').send(), ORIGINAL());
    assert.equal(served, before, 'served from L1');
  });

  test('native fetch, r.json() stored in L2 only (restore): the stored entry is left as it was', async () => {
    const store = new Map();
    const inst = make({
      l1Cache: { set() {}, get() {}, remove() {}, clear() {} },
      l2Cache: { set: (k, v) => void store.set(k, v), get: (k) => store.get(k), remove: (k) => void store.delete(k), clear() {} },
      cacheFor: { GET: { mode: 'restore', expire: 60_000 } },
    });
    mutate(await inst.Get('/b').send());
    assert.deepEqual([...store.values()][0][0], ORIGINAL());
  });

  test('native fetch, a handler that keeps the parsed value: it is left as it was', async () => {
    let kept;
    const inst = make({
      cacheFor: null,
      responded: async (r) => {
        kept = await r.json();
        return kept;
      },
    });
    const data = await inst.Get('/c').send();
    assert.notEqual(data, kept);
    mutate(data);
    assert.deepEqual(kept, ORIGINAL());
  });

  test('native fetch, r.json() then a transform that keeps its input: it is left as it was', async () => {
    let kept;
    const inst = make({ cacheFor: null });
    const data = await inst.Get('/d', { transform: (d) => (kept = d) }).send();
    mutate(data);
    assert.deepEqual(kept, ORIGINAL());
  });

  test('native fetch, r.json() shared by concurrent sends: each sender gets its own data', async () => {
    const inst = make({ cacheFor: null });
    const [a, b] = await Promise.all([inst.Get('/e').send(), inst.Get('/e').send()]);
    assert.notEqual(a, b);
    mutate(a);
    assert.deepEqual(b, ORIGINAL());
  });

  test('native fetch, r.json() uncached: the data is the caller’s alone', async () => {
    const inst = make({ cacheFor: null });
    const a = await inst.Get('/f').send();
    mutate(a);
    assert.deepEqual(await inst.Get('/f').send(), ORIGINAL());
    assert.deepEqual(a.meta, { page: 99 });
  });
}
