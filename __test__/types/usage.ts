// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };

// Storage adapters, written the way @alova/storage-redis / @alova/storage-file users write them.
import RedisStorageAdapter from '@alova/native/storage-redis';

const redisAdapter = new RedisStorageAdapter({ host: 'localhost', port: 6379, keyPrefix: 'app:', redlockTTL: 10000 });
const clusterAdapter = new RedisStorageAdapter({ nodes: [{ host: '127.0.0.1', port: 7000 }, 7001], options: { redisOptions: { password: 'x' } } });
const sharedAdapter = new RedisStorageAdapter({ client: redisAdapter.client as RedisStorageAdapter.RedisClient, failOpen: false, commandTimeout: 200 });
async function storageUsage() {
  await redisAdapter.set('k', [{ a: 1 }, Date.now() + 1000]);
  const v: { a: number }[] | undefined = await redisAdapter.get<{ a: number }[]>('k');
  await redisAdapter.remove('k');
  const removed: number = await redisAdapter.clear();
  const n = await redisAdapter.eval<number>("return redis.call('INCR', KEYS[1])", ['counter'], [1]);
  await clusterAdapter.locker.lock(['a', 'b']);
  await clusterAdapter.locker.unlock(['a', 'b']);
  const state: 'closed' | 'open' | 'half-open' = sharedAdapter.health.state;
  return [v, removed, n, state];
}
export { storageUsage };

import FileStorageAdapter from '@alova/native/storage-file';

const fileAdapter = new FileStorageAdapter({ directory: './cache', lockerOptions: { stale: 5000, retries: { retries: 5, minTimeout: 100 } } });
async function fileUsage() {
  await fileAdapter.set('$a.1["GET","/x",{},null,{}]', [{ ok: true }]);
  const v = await fileAdapter.get<[{ ok: boolean }]>('$a.1["GET","/x",{},null,{}]');
  await fileAdapter.locker.lock('resource');
  await fileAdapter.locker.unlock('resource');
  await fileAdapter.clear();
  return v;
}
export { fileUsage };
