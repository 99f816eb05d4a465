// Capabilities are declared by a storage adapter under well-known symbols and checked by the
// hooks that use them: the server hooks load without the Redis adapter, and any adapter that
// declares a capability gets the path that uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { L1Cache } = require('@alova/native');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const { storeFor, NativeStore, RedisStore, AdapterStore } = require('../../lib/server/rate-limit/stores.js');

const plain = () => ({ get() {}, set() {}, remove() {} });

test('@alova/native/server loads no module of another storage area', () => {
  const code = `require('@alova/native/server');
    console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/]lib[\\\\/]storage-(redis|file)[\\\\/]/.test(f))));`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: require.resolve('../../package.json').replace(/package\.json$/, ''), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('the adapters declare their capabilities under Symbol.for keys', () => {
  assert.equal(RedisStorageAdapter.prototype[Symbol.for('@alova/native.atomicScript')], true);
  assert.equal(L1Cache.prototype[Symbol.for('@alova/native.processLocal')], true);
  assert.equal(plain()[Symbol.for('@alova/native.atomicScript')], undefined);
});

test('the rate limiter picks its record store from the declared capability', () => {
  assert.ok(storeFor(new L1Cache()) instanceof NativeStore);
  assert.ok(storeFor({ ...plain(), [Symbol.for('@alova/native.processLocal')]: true }) instanceof NativeStore);
  const scripted = { ...plain(), eval: async () => null, [Symbol.for('@alova/native.atomicScript')]: true };
  assert.ok(storeFor(scripted) instanceof RedisStore);
  assert.ok(storeFor(plain()) instanceof AdapterStore);
  assert.ok(storeFor({ ...plain(), eval: async () => null }) instanceof AdapterStore, 'an eval alone is no promise of atomicity');
});
