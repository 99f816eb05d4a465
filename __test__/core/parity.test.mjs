// The same scenarios through alova 3.5.5 and @alova/native: hook calls, adapter calls, storage
// calls and results must match step for step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as alova from 'alova';
import * as ours from '@alova/native';
import { recordingStorage } from '../helpers/core-adapters.mjs';

/** Runs `scenario(lib, env)` and returns its trace (every recorded call and result, in order). */
async function traceOf(lib, scenario, syncStorage) {
  const trace = [];
  const l1 = recordingStorage({ async: !syncStorage });
  const l2 = recordingStorage({ async: !syncStorage, json: true });
  // Storage calls are traced as they happen (the recorders keep their own logs too).
  for (const [name, s] of [['l1', l1], ['l2', l2]]) {
    for (const op of ['get', 'set', 'remove', 'clear']) {
      const orig = s[op];
      s[op] = (...args) => {
        trace.push([name, op, args[0]]);
        return orig(...args);
      };
    }
  }
  let adapterCalls = 0;
  const inst = lib.createAlova({
    id: 'parity',
    baseURL: 'http://origin.test/api',
    l1Cache: l1,
    l2Cache: l2,
    cacheLogger: (res, m, mode, tag) => trace.push(['logger', m.url, mode, tag ?? null]),
    beforeRequest: (m) => trace.push(['before', m.type, m.url]),
    responded: {
      onSuccess: (r, m) => {
        trace.push(['success', m.url]);
        return r;
      },
      onError: (e, m) => {
        trace.push(['error', e.message, m.url]);
        if (m.url.includes('rethrow')) throw e;
        return { recovered: m.url };
      },
      onComplete: (m) => trace.push(['complete', m.url]),
    },
    requestAdapter: (el) => {
      adapterCalls += 1;
      trace.push(['adapter', el.type, el.url, JSON.stringify(el.data ?? null)]);
      const fail = el.url.includes('fail') || el.url.includes('rethrow');
      const res = new Promise((resolve, reject) =>
        setTimeout(() => (fail ? reject(new Error('down')) : resolve({ url: el.url, n: adapterCalls })), 2),
      );
      return { response: () => res, headers: async () => ({}), abort() {} };
    },
  });
  const record = async (label, p) => {
    try {
      trace.push([label, 'ok', JSON.parse(JSON.stringify((await p) ?? null))]);
    } catch (e) {
      trace.push([label, 'err', e.message]);
    }
  };
  await scenario(lib, inst, record);
  lib.globalConfig({ autoHitCache: 'global' });
  inst.destroy();
  return trace;
}

async function same(scenario) {
  for (const syncStorage of [false, true]) {
    const expected = await traceOf(alova, scenario, syncStorage);
    const actual = await traceOf(ours, scenario, syncStorage);
    assert.deepEqual(actual, expected, syncStorage ? 'sync storage' : 'async storage');
    assert.ok(expected.length > 0);
  }
}

test('memory caching, hits, force and expiry', () =>
  same(async (lib, a, record) => {
    const m = a.Get('/users', { params: { page: 1 } });
    await record('first', m.send());
    await record('hit', m.send());
    await record('force', m.send(true));
    const short = a.Get('/short', { cacheFor: 5 });
    await record('short', short.send());
    await new Promise((r) => setTimeout(r, 20));
    await record('short expired', short.send());
    await record('post', a.Post('/users', { name: 'x' }).send());
  }));

test('restore mode with tags, L2 restore into L1, Infinity', () =>
  same(async (lib, a, record) => {
    const r = a.Get('/r', { cacheFor: { mode: 'restore', expire: 60000, tag: 'v1' } });
    await record('net', r.send());
    await a.l1Cache.remove('$a.parity' + r.key);
    await record('restored', r.send());
    await record('l1 again', r.send());
    const other = a.Get('/r', { cacheFor: { mode: 'restore', expire: 60000, tag: 'v2' } });
    await a.l1Cache.remove('$a.parity' + other.key);
    await record('tag changed', other.send());
    const inf = a.Get('/inf', { cacheFor: { mode: 'restore', expire: Infinity, tag: 't' } });
    await record('inf', inf.send());
    await a.l1Cache.remove('$a.parity' + inf.key);
    await record('inf again', inf.send());
  }));

test('cache functions', () =>
  same(async (lib, a, record) => {
    const m = a.Get('/q', { cacheFor: { mode: 'restore', expire: 60000 } });
    await record('query empty', lib.queryCache(m));
    await record('set', lib.setCache(m, { v: 1 }));
    await record('query', lib.queryCache(m));
    await record('update', lib.setCache(m, (old) => ({ v: old.v + 1 })));
    await record('query l2', lib.queryCache(m, { policy: 'l2' }));
    await record('set l2', lib.setCache(m, { v: 9 }, { policy: 'l2' }));
    await record('query l1', lib.queryCache(m, { policy: 'l1' }));
    await record('invalidate', lib.invalidateCache(m));
    await record('query after', lib.queryCache(m));
    await record('invalidate all', lib.invalidateCache());
  }));

test('hit-source invalidation by method, name and RegExp', () =>
  same(async (lib, a, record) => {
    const save = a.Post('/save', { id: 1 });
    const t1 = a.Get('/t1', { hitSource: save });
    const t2 = a.Get('/t2', { hitSource: ['saver', /^sav/] });
    await record('t1', t1.send());
    await record('t2', t2.send());
    await record('save', save.send());
    await record('t1 again', t1.send());
    await record('t2 hit', t2.send());
    await record('named save', a.Post('/save2', {}, { name: 'saver' }).send());
    await record('t2 after', t2.send());
    lib.globalConfig({ autoHitCache: 'self' });
    await record('named save self', a.Post('/save3', {}, { name: 'saver' }).send());
  }));

test('error recovery, rethrow and request sharing', () =>
  same(async (lib, a, record) => {
    await record('recovered', a.Get('/fail').send());
    await record('recovered again', a.Get('/fail').send());
    await record('rethrow', a.Get('/rethrow').send());
    const [x, y] = [a.Get('/shared'), a.Get('/shared')];
    await Promise.all([record('share 1', x.send(true)), record('share 2', y.send(true))]);
  }));

test('controlled cache, expire functions, custom keys, Request and concurrent identical sends', () =>
  same(async (lib, a, record) => {
    let value;
    const c = a.Get('/controlled', { cacheFor: () => value });
    await record('controlled miss', c.send());
    value = { from: 'controlled' };
    await record('controlled hit', c.send());
    const f = a.Get('/fn', { cacheFor: { mode: 'restore', expire: ({ mode }) => (mode === 'memory' ? 100000 : 200000) } });
    await record('fn', f.send());
    await record('fn hit', f.send());
    const k1 = a.Get('/k', { params: { a: 1 } });
    k1.key = 'same';
    const k2 = a.Get('/k', { params: { a: 2 } });
    k2.key = 'same';
    await record('k1', k1.send());
    await record('k2', k2.send());
    await record('request', a.Request({ url: '/req', method: 'put', data: { d: 1 }, cacheFor: 1000 }).send());
    const ms = [a.Get('/conc'), a.Get('/conc'), a.Get('/conc')];
    await Promise.all(ms.map((m, i) => record('conc ' + i, m.send())));
    await Promise.all(ms.map((m, i) => record('conc hit ' + i, m.send())));
  }));

test('setCache with hit sources, invalidateCache with arrays, snapshots and names', () =>
  same(async (lib, a, record) => {
    const t = a.Get('/t', { hitSource: ['src', /^s/] });
    const u = a.Get('/u', { cacheFor: { mode: 'restore', expire: 60000 }, hitSource: 'src' });
    await record('set many', lib.setCache([t, u], { seeded: true }));
    await record('t hit', t.send());
    await record('by name', a.Post('/x', {}, { name: 'src' }).send());
    await record('t after', t.send());
    await record('u after', u.send());
    await record('invalidate both', lib.invalidateCache([t, u]));
    await record('u restored?', u.send());
    await record('snapshots', Promise.resolve(a.snapshots.match(/./).map((m) => m.url)));
  }));
