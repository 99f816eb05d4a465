// Method keys are alova 3.5.5's, character for character: stored keys (L1, L2, Redis) and
// setCache/queryCache/invalidateCache between the two libraries depend on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as alova from 'alova';
import * as ours from '@alova/native';

const inert = () => ({ response: async () => ({}), headers: async () => ({}), abort() {} });
const pair = (options = {}) => [alova, ours].map((lib) => lib.createAlova({ requestAdapter: inert, cacheLogger: false, ...options }));

class Point {
  constructor() {
    this.x = 1;
    this.y = undefined;
  }
}
const withGetter = {
  a: 1,
  get b() {
    return 'got';
  },
};
const withSymbol = { a: 1, [Symbol('s')]: 2 };
const nullProto = Object.assign(Object.create(null), { z: 1, a: 'x' });
const inherited = Object.assign(Object.create({ inheritedKey: 1 }), { own: 2 });
const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });

/** Values met as params, data and headers: the flat shapes the direct writer handles, and others. */
const VALUES = [
  undefined,
  null,
  {},
  { a: 1 },
  { b: 'x', a: 2 },
  { a: 2, b: 'x' },
  { 2: 'two', 1: 'one', b: 'b', a: 'a' },
  { u: undefined, n: null, t: true, f: false },
  { zero: 0, neg: -0, big: 1e21, small: 1e-7, frac: 0.1 + 0.2, nan: NaN, inf: Infinity, ninf: -Infinity },
  { q: 'say "hi"', bs: 'a\\b', nl: 'a\nb', tab: '\t', ctl: '\u0001\u001f', del: '\u007f' },
  { uni: 'héllo 世界 😀', lone: '\ud800', lowLone: 'x\udc00y', bom: '\ufeff', ls: '\u2028\u2029' },
  { 'key "quoted"': 1, 'k\\': 2, 'k\n': 3, 'ключ': 4, '': 5 },
  { toJSON: 1 },
  { toJSON: () => 'custom' },
  { nested: { x: 1, y: [1, 'a', null] } },
  { arr: [1, undefined, () => 1] },
  { fn: () => 1, sym: Symbol('s'), keep: 1 },
  { date: new Date(0) },
  new Date(0),
  new Point(),
  new Map([[1, 2]]),
  withGetter,
  withSymbol,
  nullProto,
  inherited,
  hidden,
  [1, 'a', null, undefined],
  [],
  'a=1&b=2',
  'with "quotes"',
  '',
  0,
  -0,
  42.5,
  NaN,
  true,
  false,
];

test('keys equal alova 3.5.5’s for params, data and headers of many shapes', () => {
  const [theirs, mine] = pair();
  let checked = 0;
  for (const v of VALUES) {
    for (const [params, data, headers] of [
      [v, undefined, undefined],
      [undefined, v, undefined],
      [undefined, undefined, v],
      [{ a: 1 }, v, { h: 'v' }],
    ]) {
      const config = {};
      if (params !== undefined) config.params = params;
      if (headers !== undefined) config.headers = headers;
      for (const type of ['Post', 'Put', 'Patch']) {
        const expected = theirs[type]('/x', data, { ...config }).key;
        assert.equal(mine[type]('/x', data, { ...config }).key, expected, `${type} ${String(JSON.stringify([params, data, headers]))}`);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 400);
});

test('keys equal alova 3.5.5’s for types, URLs and configs that set fields explicitly', () => {
  const [theirs, mine] = pair({ baseURL: 'http://h/api' });
  const urls = ['/a', '', 'rel/path', 'http://other/x?y=1', '/q?a="b"', '/ü/\u0007', 1234, undefined];
  for (const url of urls) {
    for (const [type, config] of [
      ['get', undefined],
      ['GET', {}],
      ['delete', { params: { id: 1 } }],
      ['purge', { headers: undefined, params: undefined }],
      ['options', { params: null, headers: null }],
      ['head', { params: 'a=1', headers: { 'Content-Type': 'application/json' } }],
    ]) {
      const a = new alova.Method(type, theirs, url, config && { ...config });
      const b = new ours.Method(type, mine, url, config && { ...config });
      assert.equal(b.key, a.key, `${type} ${url} ${JSON.stringify(config)}`);
    }
  }
});

test('a throwing value throws as in alova (BigInt)', () => {
  const [theirs, mine] = pair();
  assert.throws(() => theirs.Get('/x', { params: { n: 1n } }), TypeError);
  assert.throws(() => mine.Get('/x', { params: { n: 1n } }), TypeError);
});

test('a key recomputed with generateKey after changes equals alova’s', () => {
  const [theirs, mine] = pair();
  const a = theirs.Post('/x', { d: 1 }, { params: { p: 1 } });
  const b = mine.Post('/x', { d: 1 }, { params: { p: 1 } });
  for (const m of [a, b]) {
    m.config.params.q = 'added';
    m.data.e = [1];
    m.config.headers['X-Y'] = 'z';
  }
  assert.equal(b.generateKey(), a.generateKey());
});

test('entries alova 3.5.5 stores are found by key through setCache, queryCache and invalidateCache', async () => {
  // One storage object serves both libraries as L2 (restore mode), as a shared Redis would.
  const store = new Map();
  const l2Cache = {
    set: (k, v) => void store.set(k, JSON.stringify(v)),
    get: (k) => (store.has(k) ? JSON.parse(store.get(k)) : undefined),
    remove: (k) => void store.delete(k),
    clear: () => store.clear(),
  };
  // An L1 that keeps nothing, so every read reaches the shared L2.
  const l1Cache = { set() {}, get() {}, remove() {}, clear() {} };
  const options = { id: 'shared', l1Cache, l2Cache, cacheFor: { GET: { mode: 'restore', expire: 60_000 }, POST: { mode: 'restore', expire: 60_000 } } };
  const [theirs, mine] = pair(options);
  const shapes = [
    (inst) => inst.Get('/list', { params: { page: 2, q: 'a "b"', skip: undefined } }),
    (inst) => inst.Post('/search', { filter: { tags: ['x'] }, n: 1 }, { headers: { 'X-A': '1' } }),
    (inst) => inst.Post('/raw', 'plain body'),
  ];
  for (const [i, build] of shapes.entries()) {
    await alova.setCache(build(theirs), { from: 'alova', i });
    assert.deepEqual(await ours.queryCache(build(mine)), { from: 'alova', i }, `shape ${i} read by ours`);
    await ours.setCache(build(mine), { from: 'ours', i });
    assert.deepEqual(await alova.queryCache(build(theirs)), { from: 'ours', i }, `shape ${i} read by alova`);
    await ours.invalidateCache(build(mine));
    assert.equal(await alova.queryCache(build(theirs)), undefined, `shape ${i} removed by ours`);
  }
  assert.equal(store.size, 0);
});

test('merged configs equal alova 3.5.5’s for odd configs (own __proto__, symbols, getters, undefined fields)', () => {
  const sym = Symbol('s');
  const configs = [
    () => JSON.parse('{"__proto__": {"x": 1}, "params": {"a": 1}}'),
    () => ({ [sym]: 1, params: { a: 1 } }),
    () => ({
      get headers() {
        return { g: '1' };
      },
    }),
    () => ({ headers: undefined, params: undefined, timeout: undefined }),
    () => ({ cacheFor: null, shareRequest: false, name: 'n', meta: { m: 1 } }),
  ];
  for (const cacheFor of [undefined, { GET: 5 }, 1000, Object.assign(Object.create(null), { GET: 7 })]) {
    const [theirs, mine] = pair({ timeout: 10, cacheFor });
    for (const make of configs) {
      const a = theirs.Get('/c', make());
      const b = mine.Get('/c', make());
      assert.deepEqual(Reflect.ownKeys(b.config), Reflect.ownKeys(a.config));
      assert.deepEqual(b.config, a.config);
      assert.equal(Object.getPrototypeOf(b.config), Object.getPrototypeOf(a.config));
      assert.equal(b.key, a.key);
    }
  }
});

test('a Method has alova 3.5.5’s own fields in alova’s order, before and after a send', async () => {
  const [theirs, mine] = pair();
  const build = (inst) => [inst.Get('/f'), inst.Post('/f', { d: 1 }, { hitSource: 'src', meta: 1 })];
  const a = build(theirs);
  const b = build(mine);
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual(Reflect.ownKeys(b[i]), Reflect.ownKeys(a[i]));
    await Promise.all([a[i].send(), b[i].send()]);
    assert.deepEqual(Reflect.ownKeys(b[i]), Reflect.ownKeys(a[i]));
  }
});

test('a send looks up the method’s key and its instance’s id as they are at send time, as alova does', async () => {
  for (const lib of [alova, ours]) {
    const inst = lib.createAlova({ requestAdapter: inert, responded: () => 'network', cacheLogger: false });
    const other = inst.Get('/other');
    const m = inst.Get('/mine');
    lib.setCache(other, 'other entry');
    lib.setCache(m, 'own entry');
    assert.equal(await m.send(), 'own entry', lib === ours ? 'ours' : 'alova');
    m.key = other.key;
    assert.equal(await m.send(), 'other entry', lib === ours ? 'ours' : 'alova');
    inst.id = 'renamed';
    assert.equal(await m.send(), 'network', 'nothing is cached under the new id');
    lib.setCache(other, 'under the new id');
    assert.equal(await m.send(), 'under the new id');
  }
});

test('keys equal alova 3.5.5’s while Object.prototype carries an enumerable property', () => {
  const [theirs, mine] = pair();
  Object.prototype.polluted = 'x'; // eslint-disable-line no-extend-native
  try {
    for (const config of [undefined, {}, { params: { a: 1 } }, { headers: {} }, { params: {}, headers: { h: 'v' } }]) {
      assert.equal(mine.Get('/p', config && { ...config }).key, theirs.Get('/p', config && { ...config }).key, JSON.stringify(config));
    }
  } finally {
    delete Object.prototype.polluted;
  }
});

test('methods of two instances, types and URLs built one after another keep their own keys and data keys', async () => {
  const make = () => ours.createAlova({ requestAdapter: inert, responded: () => ({ stored: true }), cacheLogger: false });
  const a = make();
  const b = make();
  const built = [];
  for (const inst of [a, b, a]) {
    for (const url of ['/same', '/other', '/same']) {
      built.push([inst, inst.Get(url, { params: { n: 1 } }), alova.createAlova({ requestAdapter: inert }).Get(url, { params: { n: 1 } }).key]);
      built.push([inst, inst.Post(url, { d: 1 }), alova.createAlova({ requestAdapter: inert }).Post(url, { d: 1 }).key]);
    }
  }
  for (const [inst, m, expected] of built) {
    assert.equal(m.key, expected);
    await m.send();
    assert.ok(inst.l1Cache.has('$a.' + inst.id + expected) || m.type === 'POST', `${inst.id} ${expected}`);
  }
  // Sent out of the order they were built: each send looks up its own instance's entry.
  const [, first] = built[0];
  a.l1Cache.set('$a.' + a.id + first.key, ['from a']);
  b.l1Cache.set('$a.' + b.id + first.key, ['from b']);
  assert.equal(await first.send(), 'from a');
  assert.equal(await b.Get('/same', { params: { n: 1 } }).send(), 'from b');
  assert.equal(await a.Get('/same', { params: { n: 1 } }).send(), 'from a');
});
