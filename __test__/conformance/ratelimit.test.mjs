// The rate-limit conformance suite over every store the limiter has: native memory (the L1
// cache), Redis through the adapter's eval (native and ioredis clients), the JS step over a
// storage without eval (a plain object, the file adapter), and the insurance path (a primary
// store that fails, answered by the insurance limiter).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createRateLimiter } from '@alova/native/server';
import { L1Cache } from '@alova/native';
import FileStorageAdapter from '@alova/native/storage-file';
import RedisStorageAdapter from '@alova/native/storage-redis';
import { rateLimitConformance } from './ratelimit.mjs';
import { startRedis } from '../helpers/servers.mjs';
import { mapStorage } from '../fixtures/server/alova.mjs';

rateLimitConformance('native memory (L1Cache)', async () => ({ storage: () => new L1Cache() }));

rateLimitConformance('redis eval (native client)', async () => {
  const redis = await startRedis();
  const adapters = [];
  return {
    storage() {
      const a = new RedisStorageAdapter({ host: '127.0.0.1', port: redis.port, keyPrefix: `t${adapters.length}:` });
      adapters.push(a);
      return a;
    },
    processes: (key, points) => Array.from({ length: 4 }, () => [String(redis.port), key, '250', String(points)]),
    async close() {
      for (const a of adapters) a.close();
      await redis.stop();
    },
  };
});

rateLimitConformance('redis eval (ioredis client passed in)', async () => {
  const redis = await startRedis();
  const client = new Redis(redis.port, '127.0.0.1');
  return {
    storage: () => new RedisStorageAdapter({ client }),
    async close() {
      client.disconnect();
      await redis.stop();
    },
  };
});

rateLimitConformance('JS step over a storage without eval (plain object)', async () => ({ storage: () => mapStorage() }));

rateLimitConformance('JS step over a storage without eval (file)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-rl-conf-'));
  let n = 0;
  return {
    storage: () => new FileStorageAdapter({ directory: path.join(root, String(n++)) }),
    close: () => fs.rmSync(root, { recursive: true, force: true }),
  };
});

rateLimitConformance('insurance limiter (the primary store fails)', async () => {
  let primaryCalls = 0;
  const down = async () => {
    primaryCalls++;
    throw new Error('primary store down');
  };
  const spares = new WeakMap();
  return {
    storage() {
      const failing = { get: down, set: down, remove: down };
      spares.set(failing, new L1Cache());
      return failing;
    },
    limiter: (options, failing) => createRateLimiter({ ...options, storage: failing, insuranceLimiter: { ...options, storage: spares.get(failing) } }),
    close() {
      assert.ok(primaryCalls > 1000, `the primary was tried (${primaryCalls} calls)`);
    },
  };
});
