// The cache layers' diagnostics_channel events: alova:cache:hit|miss|set|invalidate with
// { layer, key, method }, through real sends to a loopback server with an L1 and an L2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import dc from 'node:diagnostics_channel';
import { createAlova, invalidateCache, setCache, hitCacheBySource } from '@alova/native';
import adapterFetch from '@alova/native/fetch';

let server;
let origin;
let hits = 0;
before(async () => {
  server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ n: hits }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

/** A user-written L2 storage adapter (alova's adapter interface) over a Map. */
function mapStorage() {
  const map = new Map();
  return {
    map,
    get: (k) => map.get(k),
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

/** Records `[event, layer, key]` from the four channels while `fn` runs. */
async function record(fn) {
  const events = [];
  const subs = ['hit', 'miss', 'set', 'invalidate'].map((name) => {
    const fnSub = ({ layer, key, method, all, storageKey, source }) => {
      if (all) return events.push([name, layer, '*']);
      if (source) return events.push([name, layer, storageKey, source.key]);
      assert.equal(method.key, key);
      events.push([name, layer, key]);
    };
    dc.subscribe(`alova:cache:${name}`, fnSub);
    return [`alova:cache:${name}`, fnSub];
  });
  try {
    await fn();
  } finally {
    for (const [name, f] of subs) dc.unsubscribe(name, f);
  }
  return events;
}

const make = (l2Cache) =>
  createAlova({ id: 'diag-cache', baseURL: origin, requestAdapter: adapterFetch(), cacheLogger: false, responded: (r) => r.json(), l2Cache });
const restore = { cacheFor: { mode: 'restore', expire: 60_000 } };

test('a miss in both layers, the writes, then an L1 hit and (new instance) an L2 hit', async () => {
  const l2 = mapStorage();
  const first = make(l2);
  const get = (alova) => alova.Get('/data', restore);
  const key = get(first).key;
  const events = await record(async () => {
    await get(first);
    await get(first);
    await get(make(l2)); // its own L1, the same L2
  });
  assert.deepEqual(events, [
    ['miss', 'L1', key],
    ['miss', 'L2', key],
    ['set', 'L1', key],
    ['set', 'L2', key],
    ['hit', 'L1', key],
    ['miss', 'L1', key],
    ['hit', 'L2', key],
  ]);
});

test('memory mode: L1 only; a forced send looks nothing up', async () => {
  const alova = make(mapStorage());
  const m = () => alova.Get('/memory', { cacheFor: 60_000 });
  const key = m().key;
  const events = await record(async () => {
    await m();
    await m().send(true);
  });
  assert.deepEqual(events, [
    ['miss', 'L1', key],
    ['set', 'L1', key],
    ['set', 'L1', key],
  ]);
});

test('setCache and invalidateCache report the layers they touched', async () => {
  const l2 = mapStorage();
  const alova = make(l2);
  const method = alova.Get('/manual', restore);
  const events = await record(async () => {
    await setCache(method, { manual: true });
    await invalidateCache(method);
  });
  assert.deepEqual(events, [
    ['set', 'L1', method.key],
    ['set', 'L2', method.key],
    ['invalidate', 'L1', method.key],
    ['invalidate', 'L2', method.key],
  ]);
  assert.equal(l2.map.size, 0);
});

test('an uncached request publishes only lookups, and nothing without subscribers', async () => {
  const alova = make(mapStorage());
  const post = alova.Post('/write', { a: 1 });
  const events = await record(() => post);
  assert.deepEqual(events, [['miss', 'L1', post.key]], 'looked up (as alova does), never written');
  const quiet = [];
  const spy = (msg) => quiet.push(msg);
  // Subscribed to another channel: the cache channels stay silent.
  dc.subscribe('alova:cache:other', spy);
  try {
    await alova.Get('/quiet', { cacheFor: 60_000 });
  } finally {
    dc.unsubscribe('alova:cache:other', spy);
  }
  assert.equal(quiet.length, 0);
});

test('invalidateCache() reports each layer it cleared; a hit source each entry it removed', async () => {
  const l2 = mapStorage();
  const alova = make(l2);
  const target = alova.Get('/target', { ...restore, hitSource: 'updater' });
  await target;
  const updater = alova.Post('/update', {}, { name: 'updater' });
  const byHit = await record(() => hitCacheBySource(updater));
  const removed = byHit.map(([ev, layer, storageKey, source]) => [ev, layer, storageKey.endsWith(target.key), source]);
  assert.deepEqual(removed, [
    ['invalidate', 'L1', true, updater.key],
    ['invalidate', 'L2', true, updater.key],
  ]);
  const cleared = await record(() => invalidateCache());
  assert.deepEqual(cleared, [
    ['invalidate', 'L1', '*'],
    ['invalidate', 'L2', '*'],
  ]);
});
