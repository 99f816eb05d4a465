// A redis-server for one describe block, an independent ioredis client to look at what the
// adapters wrote, and a factory of adapters that are closed at the end.
import { before, after } from 'node:test';
import { createRequire } from 'node:module';
import Redis from 'ioredis';
import { startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');

export function useRedis() {
  const adapters = [];
  const fx = {
    redis: null,
    raw: null,
    make(config = {}) {
      const a = new RedisStorageAdapter({ port: fx.redis.port, ...config });
      adapters.push(a);
      return a;
    },
  };
  before(async () => {
    fx.redis = await startRedis();
    fx.raw = new Redis(fx.redis.port, '127.0.0.1');
  });
  after(async () => {
    for (const a of adapters) a.close();
    fx.raw.disconnect();
    await fx.redis.stop();
  });
  return fx;
}
