// The storage adapters of @alova/storage-redis and @alova/storage-file, as their docs use
// them: L2 cache of createAlova, rate-limiter storage, captcha store, atomize's locker, and
// the Redis client behind the adapter.
import { createAlova } from '@alova/native';
import type { AlovaGlobalCacheAdapter } from '@alova/native';
import type { AlovaGlobalCacheAdapter as AlovaOwnAdapter } from 'alova';
import adapterFetch from '@alova/native/fetch';
import { createRateLimiter, createCaptchaProvider, atomize } from '@alova/native/server';
import RedisStorageAdapter from '@alova/native/storage-redis';
import FileStorageAdapter from '@alova/native/storage-file';

const redisAdapter = new RedisStorageAdapter({ host: 'localhost', port: 6379, username: 'default', password: 'x', db: 0 });
const fileAdapter = new FileStorageAdapter({ directory: './cache' });

// Assignable to alova's adapter interface, and to ours.
export const asAlova: AlovaOwnAdapter = redisAdapter;
export const asOurs: AlovaGlobalCacheAdapter = redisAdapter;
export const fileAsAlova: AlovaOwnAdapter = fileAdapter;

export const alovaInstance = createAlova({
  requestAdapter: adapterFetch(),
  l2Cache: redisAdapter,
  responded: (r) => r.json(),
});
export const withFile = createAlova({ requestAdapter: adapterFetch(), l2Cache: fileAdapter, responded: (r) => r.json() });

export const limit = createRateLimiter({ points: 10, duration: 1000, storage: redisAdapter });
export const captcha = createCaptchaProvider({ store: redisAdapter });
export const fileCaptcha = createCaptchaProvider({ store: fileAdapter });
export const atomic = () => atomize(alovaInstance.Get('/x'), { channel: 'x' });

export async function lifecycle() {
  alovaInstance.l2Cache.client.on('error', (err: Error) => console.error(err.message));
  const cleared: void = await redisAdapter.clear();
  await redisAdapter.client.quit();
  return cleared;
}
