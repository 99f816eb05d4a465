// Method: fields, key, thenable behaviour, abort, progress, names and custom keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAlova, Method, invalidateCache } from '@alova/native';
import { startFixture, fixtureAlova, DOWNLOAD_SIZE } from '../helpers/core-fixture.mjs';

let fx;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

const inertAdapter = () => ({ response: async () => ({}), headers: async () => ({}), abort() {} });

test('constructor fields follow the instance options and the config', () => {
  const alova = createAlova({ baseURL: 'http://h/', requestAdapter: inertAdapter, timeout: 50, cacheFor: { GET: 1000, PURGE: 5 } });
  const cfg = { params: { a: 1 }, headers: { h: 'v' }, meta: { m: 1 }, hitSource: 'x' };
  const m = new Method('purge', alova, '/p', cfg, { d: 1 });
  assert.equal(m.type, 'PURGE');
  assert.equal(m.baseURL, 'http://h/');
  assert.equal(m.url, '/p');
  assert.equal(m.context, alova);
  assert.deepEqual(m.data, { d: 1 });
  assert.deepEqual(m.config, { timeout: 50, shareRequest: true, cacheFor: 5, headers: { h: 'v' }, params: { a: 1 }, meta: { m: 1 } });
  assert.deepEqual(m.meta, { m: 1 });
  assert.deepEqual(m.hitSource, ['x']);
  assert.equal('hitSource' in cfg, false, 'hitSource is deleted from the config passed in');
  assert.equal(m.fromCache, undefined);
  assert.deepEqual([m.dhs, m.uhs], [[], []]);
  assert.equal(m.key, JSON.stringify(['PURGE', '/p', { a: 1 }, { d: 1 }, { h: 'v' }]));
  assert.equal(m instanceof Promise, false);
  assert.equal(Object.prototype.toString.call(m), '[object Object]');
  assert.equal(typeof m.then, 'function');
  assert.throws(() => new Method(undefined, alova, '/'), TypeError);
});

test('factories: GET/HEAD/OPTIONS have no data, bodies for the others, Request reads config', () => {
  const alova = createAlova({ requestAdapter: inertAdapter });
  for (const [name, type] of [['Get', 'GET'], ['Head', 'HEAD'], ['Options', 'OPTIONS']]) {
    const m = alova[name]('/x', { params: { q: 1 } });
    assert.equal(m.type, type);
    assert.equal(m.data, undefined);
  }
  for (const [name, type] of [['Post', 'POST'], ['Put', 'PUT'], ['Delete', 'DELETE'], ['Patch', 'PATCH']]) {
    const m = alova[name]('/x', { b: 1 }, { headers: { z: '1' } });
    assert.equal(m.type, type);
    assert.deepEqual(m.data, { b: 1 });
    assert.deepEqual(m.config.headers, { z: '1' });
  }
  const r = alova.Request({ url: '/r', method: 'patch', data: { d: 2 } });
  assert.equal(r.type, 'PATCH');
  assert.equal(r.url, '/r');
  assert.deepEqual(r.data, { d: 2 });
  assert.equal(r.config.url, '/r', 'url/method/data stay in the config');
  assert.equal(alova.Request({ url: '/g' }).type, 'GET');
  // GET default cacheFor, no global cacheFor for POST.
  assert.equal(alova.Get('/x').config.cacheFor, 300000);
  assert.equal('cacheFor' in alova.Post('/x').config, false);
});

test('Method is subclassable and the key is computed once at construction', () => {
  class Sub extends Method {
    generateKey() {
      return 'sub:' + this.url;
    }
  }
  const alova = createAlova({ requestAdapter: inertAdapter });
  const s = new Sub('GET', alova, '/a');
  assert.ok(s instanceof Method);
  assert.ok(s instanceof Sub);
  assert.equal(s.key, 'sub:/a');
  const m = alova.Get('/a', { params: { x: 1 } });
  const k = m.key;
  m.config.params.x = 2;
  assert.equal(m.key, k);
  m.key = 'custom';
  assert.equal(m.key, 'custom');
});

test('send resolves the responded data; a network error rejects', async () => {
  const alova = fixtureAlova(fx.url);
  const data = await alova.Get('/unit-test', { params: { a: 'a', b: 'str' } }).send();
  assert.equal(data.code, 200);
  assert.equal(data.data.path, '/unit-test');
  assert.deepEqual(data.data.params, { a: 'a', b: 'str' });
  await assert.rejects(alova.Get('/unit-test-error').send(), Error);
});

test('fromCache is false after the network and true after a cache hit', async () => {
  const alova = fixtureAlova(fx.url);
  const m = alova.Get('/unit-test', { params: { fc: 1 }, cacheFor: 100000 });
  await m;
  assert.equal(m.fromCache, false);
  await m;
  assert.equal(m.fromCache, true);
  const p = m.send();
  assert.equal(m.fromCache, undefined, 'reset at each send');
  assert.equal(m.promise, p);
  await p;
  await invalidateCache(m);
});

test('an async transform is awaited and its result is the send result', async () => {
  const alova = fixtureAlova(fx.url);
  const m = alova.Get('/unit-test', {
    cacheFor: 0,
    transform: async ({ data }, headers) => {
      await new Promise((r) => setTimeout(r, 10));
      return { path: data.path, hasHeaders: typeof headers.get === 'function' };
    },
  });
  assert.deepEqual(await m.send(), { path: '/unit-test', hasHeaders: true });
});

test('setName sets config.name', () => {
  const alova = createAlova({ requestAdapter: inertAdapter });
  const m = alova.Get('/x');
  assert.equal(m.config.name, undefined);
  m.setName('name-test');
  assert.equal(m.config.name, 'name-test');
});

test('abort right after send(true) rejects the send', async () => {
  const alova = fixtureAlova(fx.url);
  const m = alova.Get('/unit-test-1s');
  const p = m.send(true);
  const aborted = m.abort();
  await assert.rejects(p, /abort/i);
  await aborted;
  assert.equal(m.fromCache, undefined);
});

test('abort on the clone inside beforeRequest aborts the request', async () => {
  const alova = fixtureAlova(fx.url, { beforeRequest: (method) => {
      method.abort();
    },
  });
  const m = alova.Get('/unit-test-1s', { cacheFor: 0 });
  await assert.rejects(m.send(), /abort/i);
  assert.ok(!m.fromCache);
});

test('abort before any send resolves and does nothing; abort after settling resolves', async () => {
  const alova = fixtureAlova(fx.url);
  const m = alova.Get('/unit-test', { cacheFor: 0 });
  await m.abort();
  const data = await m;
  assert.equal(data.code, 200);
  await m.abort();
});

test('the abort promise resolves after handlers attached earlier ran', async () => {
  const alova = fixtureAlova(fx.url);
  const m = alova.Get('/unit-test-1s', { cacheFor: 0 });
  const order = [];
  m.send().catch(() => order.push('catch'));
  await m.abort();
  order.push('abort resolved');
  assert.deepEqual(order, ['catch', 'abort resolved']);
});

test('meta and ad-hoc properties are visible on the clone passed to beforeRequest', async () => {
  const seen = [];
  const alova = fixtureAlova(fx.url, { beforeRequest: (method) => seen.push([method.meta, method.showMsg]) });
  const m1 = alova.Get('/unit-test', { cacheFor: 0 });
  await m1;
  const m2 = alova.Get('/unit-test', { cacheFor: 0 });
  m2.meta = { a: 1 };
  m2.showMsg = false;
  await m2;
  const m3 = alova.Get('/unit-test', { cacheFor: 0, meta: { b: 2 } });
  await m3;
  assert.deepEqual(seen, [[undefined, undefined], [{ a: 1 }, false], [{ b: 2 }, undefined]]);
});

test('the clone the hooks get has every own enumerable field of the method, symbols included, in order', async () => {
  const tag = Symbol('tag');
  const hidden = Symbol('hidden');
  const clones = [];
  const alova = createAlova({
    requestAdapter: (_, method) => {
      clones.push(method);
      return inertAdapter();
    },
    beforeRequest: (method) => {
      clones.push(method);
      method.config.headers.auth = 'x';
      method.config.params.p = 2;
    },
    cacheFor: null,
  });
  const m = alova.Get('/clone', { params: { p: 1 }, hitSource: 'src' });
  m.extra = 1;
  m[tag] = 'symbol';
  Object.defineProperty(m, 'quiet', { value: 1, enumerable: false });
  Object.defineProperty(m, hidden, { value: 1, enumerable: false });
  await m.send();
  const [hooked, adapted] = clones;
  assert.equal(hooked, adapted, 'beforeRequest and the adapter see one clone');
  assert.notEqual(hooked, m);
  assert.ok(hooked instanceof Method);
  assert.equal(Object.getPrototypeOf(hooked), Method.prototype);
  const enumerable = (o) => Reflect.ownKeys(o).filter((k) => Object.prototype.propertyIsEnumerable.call(o, k));
  assert.deepEqual(enumerable(hooked), enumerable(m));
  assert.equal(hooked[tag], 'symbol');
  assert.equal(hooked.extra, 1);
  assert.equal(Object.hasOwn(hooked, 'quiet'), false, 'non-enumerable fields are not copied (as Object.assign)');
  assert.equal(Object.hasOwn(hooked, hidden), false);
  assert.equal(hooked.abort, m.abort, 'the clone shares the abort function');
  assert.deepEqual(hooked.hitSource, ['src']);
  assert.deepEqual(m.config.headers, {}, 'the original config is left as it was');
  assert.deepEqual(m.config.params, { p: 1 });
  assert.deepEqual(hooked.config.params, { p: 2 });
});

test('await, then, catch and finally each send the request', async () => {
  const alova = fixtureAlova(fx.url, { cacheFor: null });
  const m = alova.Get('/unit-test-count');
  fx.resetCount();
  assert.deepEqual(await m, { count: 1 });
  assert.deepEqual(await m.then((d) => d.count), 2);
  await assert.rejects(async () => {
    await alova.Get('/unit-test-error');
  });
  const errs = [];
  const r = await alova.Get('/unit-test-error').catch((e) => {
    errs.push(e);
    return 'caught';
  });
  assert.equal(r, 'caught');
  assert.equal(errs.length, 1);
  assert.ok(errs[0] instanceof Error);

  let ran = 0;
  const v = await m.finally(async () => {
    await new Promise((res) => setTimeout(res, 5));
    ran++;
  });
  assert.deepEqual(v, { count: 3 });
  await assert.rejects(
    alova.Get('/unit-test-error').finally(() => {
      ran++;
    }),
    Error,
  );
  assert.equal(ran, 2);
});

test('onDownload reports progress to the total; the off function removes the handler', async () => {
  const alova = fixtureAlova(fx.url, { responded: (r) => r.arrayBuffer() });
  const m = alova.Get('/unit-test-download', { cacheFor: 0 });
  let progress = { loaded: 0, total: 0 };
  const off = m.onDownload((p) => {
    progress = p;
  });
  assert.equal(m.dhs.length, 1);
  const buf = await m;
  assert.equal(buf.byteLength, DOWNLOAD_SIZE);
  // Progress events may trail the response body by a tick.
  for (let i = 0; i < 100 && progress.loaded < DOWNLOAD_SIZE; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(progress, { loaded: DOWNLOAD_SIZE, total: DOWNLOAD_SIZE });
  off();
  assert.equal(m.dhs.length, 0);
  const offUp = m.onUpload(() => {});
  assert.equal(m.uhs.length, 1);
  offUp();
  assert.equal(m.uhs.length, 0);
});

test('an equal custom key serves the first method’s cached data', async () => {
  const alova = fixtureAlova(fx.url);
  const m1 = alova.Get('/unit-test', { params: { p: 'first' }, cacheFor: 100000 });
  m1.key = 'custom key';
  const r1 = await m1;
  const m2 = alova.Get('/unit-test', { params: { p: 'second' }, cacheFor: 100000 });
  m2.key = 'custom key';
  const r2 = await m2;
  assert.deepEqual(r2, r1);
  assert.deepEqual(r2.data.params, { p: 'first' });
  assert.equal(m2.fromCache, true);
  await invalidateCache(m1);
});

test('concurrent sends with an equal custom key share one request', async () => {
  let adapterCalls = 0;
  let before = 0;
  let responded = 0;
  const alova = createAlova({
    cacheFor: { GET: 0 },
    cacheLogger: false,
    beforeRequest: () => {
      before++;
    },
    responded: (r) => {
      responded++;
      return r;
    },
    requestAdapter: (elements) => {
      adapterCalls++;
      const body = elements.data;
      return {
        response: () => new Promise((r) => setTimeout(() => r({ body }), 30)),
        headers: async () => ({}),
        abort() {},
      };
    },
  });
  const m1 = alova.Post('/unit-test', { id: 1 });
  m1.key = 'shared';
  const m2 = alova.Post('/unit-test', { id: 2 });
  m2.key = 'shared';
  const [r1, r2] = await Promise.all([m1.send(), m2.send()]);
  assert.equal(adapterCalls, 1);
  assert.deepEqual(r1, { body: { id: 1 } });
  assert.deepEqual(r2, { body: { id: 1 } });
  assert.equal(before, 2);
  assert.equal(responded, 2);
});

test('a subclass that overrides send (as server hooks do) is thenable through it', async () => {
  class Hooked extends Method {
    constructor(entity, handler) {
      super(entity.type, entity.context, entity.url, { ...entity.config });
      this.config = { ...this.config };
      this.dhs = entity.dhs;
      this.handler = handler;
    }

    send(force) {
      return this.handler(force);
    }
  }
  const alova = fixtureAlova(fx.url);
  const entity = alova.Post('/unit-test', { a: 1 }, { meta: { m: 1 } });
  const forces = [];
  const hooked = new Hooked(entity, (force) => {
    forces.push(force);
    return entity.send(force);
  });
  assert.ok(hooked instanceof Method);
  assert.deepEqual(hooked.meta, { m: 1 });
  assert.notEqual(hooked.key, entity.key, 'the body is not part of the hooked key');
  assert.equal((await hooked).data.data.a, 1);
  assert.equal(await hooked.then((r) => r.code), 200);
  await hooked.finally(() => {});
  await hooked.send(true);
  assert.deepEqual(forces, [undefined, undefined, undefined, true]);
  assert.equal(entity.fromCache, false);
  assert.equal(hooked.fromCache, undefined);
});

test('progress handlers registered before send reach the adapter; later ones do not', async () => {
  const wired = [];
  const alova = createAlova({
    cacheFor: null,
    requestAdapter: () => {
      let resolve;
      const response = new Promise((r) => (resolve = r));
      return {
        response: () => response,
        headers: async () => ({}),
        abort() {},
        onDownload(cb) {
          wired.push('download');
          cb(5, 10);
          cb(10, 10);
          resolve('done');
        },
        onUpload(cb) {
          wired.push('upload');
          cb(3, 3);
        },
      };
    },
  });
  const m = alova.Get('/progress');
  const down = [];
  const up = [];
  m.onDownload((p) => down.push(p));
  m.onUpload((p) => up.push(p));
  assert.equal(await m.send(), 'done');
  assert.deepEqual(wired, ['download', 'upload']);
  assert.deepEqual(down, [{ loaded: 5, total: 10 }, { loaded: 10, total: 10 }]);
  assert.deepEqual(up, [{ loaded: 3, total: 3 }]);
  const late = alova.Get('/late');
  const p = late.send();
  late.onDownload(() => assert.fail('not wired after send'));
  await Promise.race([p, new Promise((r) => setTimeout(r, 50))]);
  assert.deepEqual(wired, ['download', 'upload'], 'no handlers, no wiring');
});
