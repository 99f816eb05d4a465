// createAlova: options, defaults, the instance, hooks and their order, the logger, snapshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAlova, promiseStatesHook, queryCache, invalidateCache, Method } from '@alova/native';
import { startFixture, fixtureAlova } from '../helpers/core-fixture.mjs';
import { countingAdapter } from '../helpers/core-adapters.mjs';

let fx;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

/** A custom adapter in the manner of alova's mock adapter: answers from a function. */
const mockAdapter = (answer) => countingAdapter(answer, 5, { 'x-mock': '1' });

/** Runs `fn` (awaited) with console.log captured; resolves the lines it logged. */
async function captureLog(fn) {
  const calls = [];
  const orig = console.log;
  console.log = (...args) => calls.push(args);
  try {
    await fn();
    return calls;
  } finally {
    console.log = orig;
  }
}

test('ids: auto counter as a string, falsy ids are auto-assigned, given ids stringified', () => {
  const a = createAlova({ requestAdapter: mockAdapter(() => 1) });
  const b = createAlova({ requestAdapter: mockAdapter(() => 1), id: 0 });
  assert.equal(typeof a.id, 'string');
  assert.equal(Number(b.id), Number(a.id) + 1);
  assert.equal(createAlova({ requestAdapter: mockAdapter(() => 1), id: 42 }).id, '42');
  assert.equal(createAlova({ requestAdapter: mockAdapter(() => 1), id: 'svc' }).id, 'svc');
});

test('options: defaults merged, cacheFor replaced (not merged), live object', () => {
  const adapter = mockAdapter(() => 1);
  const a = createAlova({ requestAdapter: adapter, baseURL: 'http://x' });
  assert.deepEqual(a.options, { cacheFor: { GET: 300000 }, shareRequest: true, snapshots: 1000, requestAdapter: adapter, baseURL: 'http://x' });
  const b = createAlova({ requestAdapter: adapter, cacheFor: { POST: 1000 } });
  assert.equal('cacheFor' in b.Get('/').config, false, 'GET is no longer cached');
  assert.equal(b.Post('/').config.cacheFor, 1000);
  assert.equal('cacheFor' in createAlova({ requestAdapter: adapter, cacheFor: null }).Get('/').config, false);
  assert.equal('cacheFor' in createAlova({ requestAdapter: adapter, cacheFor: undefined }).Get('/').config, false);
  assert.equal('cacheFor' in createAlova({ requestAdapter: adapter, cacheFor: { get: 5 } }).Get('/').config, false, 'keys are upper-case');
  b.options.timeout = 77;
  assert.equal(b.Get('/').config.timeout, 77, 'later methods see option changes');
  assert.equal(createAlova({ requestAdapter: adapter, shareRequest: false }).Get('/').config.shareRequest, false);
});

test('on a server without l2Cache the placeholder throws on get/set/remove and clear is a no-op', async () => {
  const a = createAlova({ requestAdapter: mockAdapter(() => 1) });
  for (const op of ['get', 'set', 'remove']) {
    assert.throws(() => a.l2Cache[op]('k', 1), (e) => {
      assert.equal(e.name, '[alova]');
      assert.equal(e.message, 'l2Cache is not defined.');
      return true;
    });
  }
  a.l2Cache.clear();
  await invalidateCache();
});

test('default cache logger: 4 lines for memory hits, 5 for restore with a tag', async () => {
  const a = createAlova({ requestAdapter: mockAdapter(() => ({ v: 1 })) });
  const m = a.Get('/unit-test');
  await m.send();
  // A real cache hit logs through the default logger.
  const calls = await captureLog(() => m.send());
  const sep = ' [HitCache]/unit-test ';
  assert.deepEqual(calls, [
    ['\x1B[42m%s\x1B[49m', sep],
    ['\x1B[32m%s\x1B[39m', ' Cache ', { v: 1 }],
    ['\x1B[32m%s\x1B[39m', ' Mode  ', 'memory'],
    ['\x1B[32m%s\x1B[39m', '^'.repeat(sep.length)],
  ]);
  // Restore mode with a tag adds the tag line.
  const l2 = new Map();
  const b = createAlova({
    requestAdapter: mockAdapter(() => ({ v: 2 })),
    l2Cache: { get: (k) => l2.get(k), set: (k, v) => l2.set(k, v), remove: (k) => l2.delete(k), clear: () => l2.clear() },
  });
  const r = b.Get('/unit-test', { cacheFor: { mode: 'restore', expire: 10000, tag: 'v1' } });
  await r.send();
  const restoreCalls = await captureLog(() => r.send());
  assert.equal(restoreCalls.length, 5);
  assert.deepEqual(restoreCalls[3], ['\x1B[32m%s\x1B[39m', ' Tag   ', 'v1']);
});

test('cacheLogger: false and null silence; a function is called with (response, clone, mode, tag)', async () => {
  for (const cacheLogger of [false, null]) {
    const a = createAlova({ requestAdapter: mockAdapter(() => ({ v: 1 })), cacheLogger });
    const m = a.Get('/quiet');
    await m.send();
    assert.equal((await captureLog(() => m.send())).length, 0);
  }
  const seen = [];
  const a = createAlova({
    requestAdapter: mockAdapter(() => ({ v: 1 })),
    cacheLogger: (...args) => {
      seen.push(args);
      return new Promise(() => {}); // never settles: awaiting it would hang the send
    },
  });
  const m = a.Get('/logged');
  await m.send();
  assert.equal(seen.length, 0, 'not called on the network path');
  assert.deepEqual(await m.send(), { v: 1 });
  assert.equal(seen.length, 1);
  const [response, clone, mode, tag] = seen[0];
  assert.deepEqual(response, { v: 1 });
  assert.ok(clone instanceof Method);
  assert.notEqual(clone, m);
  assert.equal(clone.fromCache, true);
  assert.equal(mode, 'memory');
  assert.equal(tag, undefined);
});

test('beforeRequest runs once per send on a clone, on cache hits too; clone changes stay local', async () => {
  const clones = [];
  const alova = fixtureAlova(fx.url, {
    beforeRequest(method) {
      clones.push(method);
      method.config.params.added = 'yes';
      method.config.headers['x-added'] = '1';
      assert.equal(method.promise, m.promise, 'the clone carries the send promise');
    },
  });
  const m = alova.Get('/unit-test', { params: { a: 1 } });
  const key = m.key;
  const r1 = await m;
  assert.deepEqual(r1.data.params, { a: '1', added: 'yes' });
  assert.deepEqual(m.config.params, { a: 1 }, 'the original is untouched');
  assert.equal(m.key, key);
  await m;
  assert.equal(m.fromCache, true);
  assert.equal(clones.length, 2);
  assert.notEqual(clones[0], m);
  assert.ok(clones[0] instanceof Method);
  assert.equal(clones[0].abort, m.abort, 'the clone shares abort');
  await invalidateCache(m);
});

test('an async beforeRequest is awaited; its rejection rejects the send', async () => {
  const order = [];
  const a = createAlova({
    requestAdapter: mockAdapter(() => {
      order.push('adapter');
      return 1;
    }),
    beforeRequest: async (m) => {
      await new Promise((r) => setTimeout(r, 10));
      order.push('before');
      if (m.url === '/fail') throw new Error('denied');
    },
  });
  await a.Post('/ok').send();
  assert.deepEqual(order, ['before', 'adapter']);
  await assert.rejects(a.Post('/fail').send(), /denied/);
});

test('responded as a function or {onSuccess,onError,onComplete}; hook counts per send', async () => {
  const log = [];
  const a = createAlova({
    requestAdapter: mockAdapter((el) => {
      if (el.url.includes('bad')) throw new Error('boom');
      return { url: el.url };
    }),
    responded: {
      onSuccess: (r, m) => {
        log.push(['success', m.url]);
        return r;
      },
      onError: (e, m) => {
        log.push(['error', e.message, m.url]);
        if (m.url === '/bad-rethrow') throw new Error('rethrown');
        return { recovered: true };
      },
      onComplete: (m) => log.push(['complete', m.url]),
    },
    cacheLogger: false,
  });
  const good = a.Get('/good');
  assert.deepEqual(await good, { url: '/good' });
  assert.equal(good.fromCache, false);
  assert.deepEqual(await good, { url: '/good' });
  const bad = a.Get('/bad');
  assert.deepEqual(await bad, { recovered: true });
  assert.equal(bad.fromCache, false, 'recovered results count as network');
  assert.deepEqual(await bad, { recovered: true });
  assert.equal(await queryCache(bad), undefined, 'recovered results are not cached');
  await assert.rejects(a.Get('/bad-rethrow').send(), /rethrown/);
  assert.deepEqual(log, [
    ['success', '/good'],
    ['complete', '/good'],
    ['complete', '/good'],
    ['error', 'boom', '/bad'],
    ['complete', '/bad'],
    ['error', 'boom', '/bad'],
    ['complete', '/bad'],
    ['error', 'boom', '/bad-rethrow'],
    ['complete', '/bad-rethrow'],
  ]);
  // A plain function is onSuccess; errors reject without onError.
  const b = createAlova({ requestAdapter: mockAdapter(() => 2), responded: (r) => r * 10 });
  assert.equal(await b.Post('/x').send(), 20);
  const c = createAlova({ requestAdapter: mockAdapter(() => { throw new Error('raw'); }), responded: { onSuccess: 5 } });
  await assert.rejects(c.Post('/x').send(), /raw/);
});

test('errors in onSuccess or transform reject without onError; onComplete errors reject', async () => {
  let onErrorCalls = 0;
  const handlers = {
    onSuccess: (r, m) => {
      if (m.url === '/s') throw new Error('in success');
      return r;
    },
    onError: () => {
      onErrorCalls++;
    },
  };
  const a = createAlova({ requestAdapter: mockAdapter(() => 1), responded: handlers, cacheFor: null });
  await assert.rejects(a.Get('/s').send(), /in success/);
  await assert.rejects(
    a.Get('/t', {
      transform: () => {
        throw new Error('in transform');
      },
    }).send(),
    /in transform/,
  );
  assert.equal(onErrorCalls, 0);
  const b = createAlova({
    requestAdapter: mockAdapter(() => 1),
    responded: {
      onComplete: () => {
        throw new Error('in complete');
      },
    },
  });
  const m = b.Get('/c');
  await assert.rejects(m.send(), /in complete/);
  assert.equal(m.fromCache, undefined);
});

test('transform runs after onSuccess and receives the headers; results are deep clones', async () => {
  const a = createAlova({
    requestAdapter: mockAdapter(() => ({ list: [{ a: 1 }], when: new Date(0) })),
    responded: (r) => r,
    cacheLogger: false,
  });
  const m = a.Get('/deep', {
    transform: (data, headers) => ({ ...data, header: headers['x-mock'] }),
  });
  const r1 = await m;
  r1.list[0].a = 99;
  const r2 = await m;
  assert.equal(m.fromCache, true);
  assert.equal(r2.list[0].a, 1, 'the network result was a deep copy');
  assert.equal(r2.header, '1');
  assert.ok(r2.when instanceof Date);
  r2.list[0].a = 5;
  assert.equal((await m).list[0].a, 5, 'a hit returns the stored object itself');
});

test('without responded the Response itself is returned and a hit returns the same object', async () => {
  const { adapterFetch } = await import('../helpers/fetch-adapter.mjs');
  const a = createAlova({ baseURL: fx.url, requestAdapter: adapterFetch(), cacheLogger: false });
  const m = a.Get('/unit-test');
  const r1 = await m;
  assert.equal(typeof r1.json, 'function');
  assert.equal(r1.status, 200);
  const r2 = await m;
  assert.equal(r1, r2);
});

test('falsy results are never cached', async () => {
  for (const value of [0, '', null, false]) {
    let calls = 0;
    const a = createAlova({
      requestAdapter: mockAdapter(() => {
        calls++;
        return value;
      }),
    });
    const m = a.Get('/falsy');
    assert.equal(await m, value);
    assert.equal(await m, value);
    assert.equal(calls, 2);
  }
});

test('a custom adapter gets the full URL, type, data and the clone’s headers; a sync throw rejects', async () => {
  const adapter = mockAdapter(() => 'ok');
  const a = createAlova({ baseURL: 'http://api.test/v1/', requestAdapter: adapter, timeout: 1234 });
  await a.Post('items', { n: 1 }, { params: { q: 'a&b', u: undefined, z: null }, headers: { h: 'v' } }).send();
  const { elements, method } = adapter.calls[0];
  assert.equal(elements.url, 'http://api.test/v1/items?q=a%26b&z=null');
  assert.equal(elements.type, 'POST');
  assert.deepEqual(elements.data, { n: 1 });
  assert.equal(elements.headers, method.config.headers);
  assert.equal(method.config.timeout, 1234);
  const b = createAlova({
    requestAdapter: () => {
      throw new Error('sync adapter failure');
    },
  });
  await assert.rejects(b.Get('/x').send(), /sync adapter failure/);
});

test('an adapter whose abort resolves the response makes the send resolve with it', async () => {
  const a = createAlova({
    requestAdapter: () => {
      let resolve;
      const p = new Promise((r) => (resolve = r));
      return { response: () => p, headers: async () => ({}), abort: () => resolve('aborted value') };
    },
  });
  const m = a.Get('/x');
  const p = m.send();
  m.abort();
  assert.equal(await p, 'aborted value');
});

test('snapshots: capacity, negative throws, 0 disables, match forms', async () => {
  assert.throws(() => createAlova({ requestAdapter: mockAdapter(() => 1), snapshots: -1 }), /expected snapshots limit to be >= 0/);
  const none = createAlova({ requestAdapter: mockAdapter(() => 1), snapshots: 0 });
  await none.Get('/a', { name: 'n' }).send();
  assert.deepEqual(none.snapshots.match('n'), []);
  const a = createAlova({ requestAdapter: mockAdapter(() => 1), snapshots: 3 });
  assert.equal(a.snapshots.capacity, 3);
  const m1 = a.Get('/1', { name: 'user-1' });
  const m2 = a.Get('/2', { name: 'user-2' });
  const m3 = a.Get('/3', { name: 'other' });
  const m4 = a.Get('/4', { name: 'user-4' });
  for (const m of [m1, m2, m3, m4]) await m.send(true);
  await m1.send();
  assert.equal(a.snapshots.occupy, 3);
  assert.deepEqual(a.snapshots.match('user-1'), [m1]);
  assert.deepEqual(a.snapshots.match(/^user/), [m1, m2]);
  assert.equal(a.snapshots.match(/^user/, false), m1);
  assert.deepEqual(a.snapshots.match({ name: /./, filter: (m) => m.url !== '/2' }), [m1, m3]);
  assert.deepEqual(a.snapshots.match({ filter: () => true }), []);
  assert.equal(a.snapshots.match('missing', false), undefined);
  assert.deepEqual(a.snapshots.match(5), []);
});

test('destroy() leaves the registry and clears the L1 cache', async () => {
  const a = createAlova({ requestAdapter: mockAdapter(() => ({ v: 1 })) });
  const m = a.Get('/d');
  await m;
  assert.deepEqual(await queryCache(m), { v: 1 });
  a.destroy();
  assert.equal(await queryCache(m), undefined);
  await a.l1Cache.set('k', ['x']);
  await invalidateCache();
  assert.deepEqual(a.l1Cache.get('k'), ['x'], 'a destroyed instance is not cleared globally');
});

test('statesHook: the same name is required; promiseStatesHook returns the bound one', () => {
  const hook = { name: 'TestHook' };
  createAlova({ requestAdapter: mockAdapter(() => 1), statesHook: hook });
  assert.equal(promiseStatesHook(), hook);
  assert.throws(() => createAlova({ requestAdapter: mockAdapter(() => 1), statesHook: { name: 'Other' } }), {
    name: '[alova]',
    message: 'expected to use the same `statesHook`',
  });
});

test('a global localStorage becomes the default l2Cache (JSON, $a.-only clear, events)', async () => {
  const store = new Map();
  globalThis.localStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
    key: (i) => [...store.keys()][i] ?? null,
    get length() {
      return store.size;
    },
  };
  try {
    const a = createAlova({ requestAdapter: mockAdapter(() => ({ v: 1 })) });
    const events = [];
    a.l2Cache.emitter.on('success', (e) => events.push([e.type, e.key]));
    const m = a.Get('/ls', { cacheFor: { mode: 'restore', expire: 100000 } });
    await m.send();
    const key = `$a.${a.id}${m.key}`;
    assert.deepEqual(JSON.parse(store.get(key))[0], { v: 1 });
    store.set('hss.keep', '{}');
    a.l2Cache.clear();
    assert.equal(store.has(key), false);
    assert.equal(store.has('hss.keep'), true, 'index keys survive clear');
    assert.deepEqual(events.map(([t]) => t).slice(-2), ['set', 'clear']);
    a.destroy();
  } finally {
    delete globalThis.localStorage;
  }
});

test('the default logger uses the browser format when ssr is off', async () => {
  const { globalConfig } = await import('@alova/native');
  const a = createAlova({ requestAdapter: mockAdapter(() => ({ v: 1 })) });
  const m = a.Get('/browser-log');
  await m.send();
  const calls = [];
  const saved = { log: console.log, groupCollapsed: console.groupCollapsed, groupEnd: console.groupEnd };
  console.log = (...args) => calls.push(['log', ...args]);
  console.groupCollapsed = (...args) => calls.push(['group', ...args]);
  console.groupEnd = () => calls.push(['end']);
  globalConfig({ ssr: false });
  try {
    await m.send();
  } finally {
    Object.assign(console, saved);
    globalConfig({ ssr: true });
  }
  assert.deepEqual(calls.map((c) => c[0]), ['group', 'log', 'log', 'log', 'end']);
  assert.equal(calls[0][1], '%cHitCache');
  assert.equal(calls[0][3], '/browser-log');
  assert.equal(calls[3][1], '%c[Method]');
  assert.ok(calls[3][3] instanceof Method);
});

test('promiseStatesHook throws when no statesHook was ever bound', async () => {
  const { spawnSync } = await import('node:child_process');
  const entry = new URL('../../index.js', import.meta.url).pathname;
  const code = `try { require(${JSON.stringify(entry)}).promiseStatesHook(); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), '[alova]: `statesHook` is not set in alova instance');
});

test('a garbage-collected instance leaves the registry on its own', async () => {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let clears = 0;
  const adapter = { get() {}, set() {}, remove() {}, clear: () => void clears++ };
  (() => {
    createAlova({ requestAdapter: mockAdapter(() => 1), l1Cache: adapter });
  })();
  await invalidateCache();
  assert.equal(clears, 1, 'registered while alive');
  for (let i = 0; i < 50 && clears !== 0; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
    clears = 0;
    await invalidateCache();
  }
  assert.equal(clears, 0);
});
