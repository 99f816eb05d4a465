// URL building and the module surface (require/import, live globalConfigMap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@alova/native';
import { globalConfigMap, globalConfig } from '@alova/native';

const require = createRequire(import.meta.url);
const { buildURL } = require('../../lib/core/url.js');

test('baseURL and url are joined with exactly one slash; absolute urls ignore baseURL', () => {
  assert.equal(buildURL('http://h/api/', '/x', {}), 'http://h/api/x');
  assert.equal(buildURL('http://h/api', 'x', {}), 'http://h/api/x');
  assert.equal(buildURL('http://h/api/', '', {}), 'http://h/api');
  assert.equal(buildURL('http://h/api', '', {}), 'http://h/api');
  assert.equal(buildURL('http://h', 'HTTPS://other/y', { a: 1 }), 'HTTPS://other/y?a=1');
  assert.equal(buildURL('', '/rel', {}), '/rel');
});

test('params: strings verbatim, undefined skipped, values URL-encoded, keys not', () => {
  assert.equal(buildURL('http://h', '/x', 'a=1&b=2'), 'http://h/x?a=1&b=2');
  assert.equal(buildURL('http://h', '/x', ''), 'http://h/x');
  assert.equal(buildURL('http://h', '/x', { a: 'a b', u: undefined, n: null, arr: [1, 2, 3], o: {} }), 'http://h/x?a=a%20b&n=null&arr=1%2C2%2C3&o=%5Bobject%20Object%5D');
  assert.equal(buildURL('http://h', '/x', { q: 'x#y&z=1' }), 'http://h/x?q=x%23y%26z%3D1');
  assert.equal(buildURL('http://h', '/x', { 'k k': 1 }), 'http://h/x?k k=1');
  assert.equal(buildURL('http://h/u?ctrl=api/', '/x', { aa: 2 }), 'http://h/u?ctrl=api/x&aa=2');
  assert.equal(buildURL('http://h', '/x?y=1', { z: 2 }), 'http://h/x?y=1&z=2');
});

test('require and import expose the same named API; CJS has default and __esModule', () => {
  const cjs = require('@alova/native');
  for (const name of ['createAlova', 'Method', 'invalidateCache', 'setCache', 'queryCache', 'hitCacheBySource', 'globalConfig', 'globalConfigMap', 'promiseStatesHook', 'L1Cache']) {
    assert.ok(name in cjs, name);
    assert.equal(esm[name], cjs[name], name);
  }
  assert.equal(cjs.default, cjs);
  assert.equal(cjs.__esModule, true);
});

test('globalConfigMap is live in both module systems and replaced (not mutated) by globalConfig', () => {
  const cjs = require('@alova/native');
  const before = globalConfigMap;
  assert.deepEqual(before, { autoHitCache: 'global', ssr: true });
  globalConfig({ autoHitCache: 'self' });
  assert.equal(globalConfigMap.autoHitCache, 'self', 'the ESM binding follows');
  assert.equal(cjs.globalConfigMap.autoHitCache, 'self');
  assert.equal(before.autoHitCache, 'global', 'the old object is left as it was');
  cjs.globalConfig({ autoHitCache: 'global' });
  assert.equal(globalConfigMap.autoHitCache, 'global');
  assert.equal(globalConfigMap.ssr, true);
});

test('numeric params are written as encodeURIComponent(String(v)) writes them', () => {
  const values = [0, -0, 7, -42, 2 ** 53 - 1, 2 ** 53, 1e21, -1e-7, 1.5, NaN, Infinity, -Infinity];
  for (const v of values) {
    assert.equal(buildURL('http://h', '/x', { v }), `http://h/x?v=${encodeURIComponent(String(v))}`, String(v));
  }
});
