// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };

// Storage adapters, written the way @alova/storage-redis / @alova/storage-file users write them.
import RedisStorageAdapter from '@alova/native/storage-redis';

const redisAdapter = new RedisStorageAdapter({ host: 'localhost', port: 6379, keyPrefix: 'app:', redlockTTL: 10000 });
const clusterAdapter = new RedisStorageAdapter({ nodes: [{ host: '127.0.0.1', port: 7000 }, 7001], options: { redisOptions: { password: 'x' } } });
const sharedAdapter = new RedisStorageAdapter({ client: redisAdapter.client, failOpen: false, commandTimeout: 200 });
const redisTlsAdapter = new RedisStorageAdapter({ url: 'rediss://cache.example.com:6380', tls: { ca: 'PEM', servername: 'cache.example.com', rejectUnauthorized: true } });
const sentinelAdapter = new RedisStorageAdapter({ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'mymaster', role: 'master', sentinelPassword: 's' });
const plainClientAdapter = new RedisStorageAdapter({ client: { get: async (k: string) => k, set: async () => 'OK', del: async () => 1 } });
redisAdapter.client.on('error', (err) => console.error(err.message));
const asL2: import('@alova/native').AlovaGlobalCacheAdapter = redisAdapter;
export { asL2 };
redisAdapter.client.on('ready', () => {});
async function storageUsage() {
  await redisAdapter.set('k', [{ a: 1 }, Date.now() + 1000]);
  const v: { a: number }[] | undefined = await redisAdapter.get<{ a: number }[]>('k');
  await redisAdapter.remove('k');
  const removed: void = await redisAdapter.clear();
  const ok: 'OK' | string | null = await redisAdapter.client.set('k', 'v', 'PX', 100);
  const h: Record<string, string> = await redisAdapter.client.hgetall('h');
  const ttl: number = await redisTlsAdapter.client.pttl('k');
  const status: string = sentinelAdapter.client.status;
  await plainClientAdapter.remove('k');
  await redisAdapter.client.quit();
  const n = await redisAdapter.eval<number>("return redis.call('INCR', KEYS[1])", ['counter'], [1]);
  await clusterAdapter.locker.lock(['a', 'b']);
  await clusterAdapter.locker.unlock(['a', 'b']);
  const state: 'closed' | 'open' | 'half-open' = sharedAdapter.health.state;
  return [v, removed, n, state, ok, h, ttl, status];
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
// ---- core: code written against alova's typings ----
import {
  createAlova,
  Method,
  invalidateCache,
  setCache,
  queryCache,
  hitCacheBySource,
  globalConfig,
  globalConfigMap,
  L1Cache,
  type AlovaGenerics,
  type AlovaRequestAdapter,
  type AlovaGlobalCacheAdapter,
  type AlovaMethodCreateConfig,
} from '@alova/native';

type Init = Omit<RequestInit, 'body' | 'headers' | 'method'>;
const coreAdapter: AlovaRequestAdapter<Init, Response, Headers> = (elements) => {
  const p = fetch(elements.url, { method: elements.type, headers: elements.headers });
  return { response: () => p, headers: () => p.then((r) => r.headers), abort: () => {} };
};
const mapStore = new Map<string, unknown>();
const asyncL2: AlovaGlobalCacheAdapter = {
  async set(k, v) {
    mapStore.set(k, v);
  },
  async get<T>(k: string) {
    return mapStore.get(k) as T | undefined;
  },
  async remove(k) {
    mapStore.delete(k);
  },
  async clear() {
    mapStore.clear();
  },
};
const api = createAlova({
  baseURL: 'http://127.0.0.1:1',
  requestAdapter: coreAdapter,
  timeout: 1000,
  cacheFor: { GET: 60_000, POST: { mode: 'restore', expire: 1000, tag: 'v1' } },
  l1Cache: new L1Cache({ maxEntries: 10_000, maxBytes: 0 }),
  l2Cache: asyncL2,
  beforeRequest(method) {
    method.config.headers.authorization = 'token';
  },
  responded: {
    onSuccess: (response) => response.json(),
    onError: (error) => {
      throw error;
    },
    onComplete: () => {},
  },
  cacheLogger: false,
});
interface User {
  id: number;
  name: string;
}
const getUser = (id: number) =>
  api.Get<User, { user: User }>('/user', {
    params: { id },
    credentials: 'include',
    transform: (raw) => raw.user,
    cacheFor: { expire: ({ mode }) => (mode === 'memory' ? 1000 : 5000), mode: 'restore' },
    hitSource: ['save', /^user/],
    meta: { auth: true },
  });
async function coreUsage() {
  const u: User = await getUser(1);
  const u2: User = await getUser(1).send(true);
  const m = getUser(2);
  const fromCache: boolean | undefined = m.fromCache;
  m.setName('user');
  m.onDownload(({ loaded, total }) => loaded / total);
  await m.abort();
  const cached: User | undefined = await queryCache(m, { policy: 'l1' });
  await setCache(m, (old) => (old ? { ...old, name: 'x' } : undefined));
  await setCache([m], { id: 1, name: 'y' });
  await invalidateCache(m);
  await invalidateCache();
  await hitCacheBySource(api.Post('/save', { id: 1 }, { name: 'save' }));
  globalConfig({ autoHitCache: 'self' });
  const scope: 'global' | 'self' | 'close' = globalConfigMap.autoHitCache;
  const snaps: Method[] = api.snapshots.match(/^user/);
  const custom = new Method('PURGE', api, '/x', { params: { a: 1 } });
  const stats = (api.l1Cache as L1Cache).stats();
  const cfg: AlovaMethodCreateConfig<AlovaGenerics, unknown, unknown> = { params: { q: 1 } };
  api.destroy();
  return [u, u2, fromCache, cached, scope, snaps, custom.key, stats.hits, cfg];
}
export { coreUsage };
// @alova/native/fetch, written as for alova/fetch.
import adapterFetch from '@alova/native/fetch';

const alovaInstance = createAlova({
  baseURL: 'http://127.0.0.1:3000',
  requestAdapter: adapterFetch(),
  responded: (response) => response.json(),
  timeout: 3000,
});
const getter = alovaInstance.Get<{ id: number }>('/todo', { params: { id: 1 }, credentials: 'omit' });
export { getter };

const tlsAdapter = adapterFetch({ ca: '-----BEGIN CERTIFICATE-----', rejectUnauthorized: true, maxRedirects: 5, maxResponseSize: 1 << 20, proxy: false });
const pooled = adapterFetch({ connections: 8, keepAliveTimeout: 4000, keepAlive: true, allowH2: false, connectTimeout: 2000 });
// @ts-expect-error `connections` is a number
adapterFetch({ connections: '8' });
const opened: number = pooled.stats().connectionsOpened;
// @ts-expect-error an adapter with `customFetch` has no engine counters
adapterFetch({ customFetch: fetch }).stats();
export { pooled, opened };
const handle = tlsAdapter({ url: 'http://127.0.0.1/', type: 'GET', headers: {} }, { config: {} });
handle.onDownload((loaded: number, total: number) => loaded / total);
const viaCustom = adapterFetch.default({ customFetch: fetch });
const status: Promise<number> = handle.response().then((r: Response) => r.status);
export { viaCustom, status };
// ---- @alova/native/server, written as alova users write it
import { createAlova as createServerAlova } from '@alova/native';
import { retry, atomize, createRateLimiter, createCaptchaProvider, HookedMethod } from '@alova/native/server';
import type { RateLimiterRes } from '@alova/native/server';

const serverAlova = createServerAlova({
  requestAdapter: (() => ({ response: async () => ({}), headers: async () => ({}), abort() {} })) as any,
});
async function serverHooks() {
  const get = serverAlova.Get<{ id: number }>('/user');
  const retried = retry(get, { retry: 3, backoff: { delay: 100, multiplier: 2, startQuiver: 0.1 }, statusCodes: [503], retryAfter: true, maxDelay: 5000 });
  const ok: boolean = retried instanceof HookedMethod;
  await retried;
  await retried.send(true);
  await retried.abort();
  await atomize(get, { channel: ['a', 'b'], timeout: 1000, interval: 50 });

  const limit = createRateLimiter({ points: 5, duration: 60_000, blockDuration: 1000, keyPrefix: 'login', store: serverAlova.l1Cache });
  const limited = limit(get, { key: (m) => m.url });
  const res: RateLimiterRes = await limited.consume(1);
  const left: number = res.remainingPoints;
  const state = await limited.get();
  if (state && state.msBeforeNext > 0) await limited.delete();
  await limited.penalty(1);
  await limited.reward(1);
  await limited.block(1000);
  await limited.set(2, 1000);

  const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({ store: serverAlova.l1Cache, resetTime: 60_000, codeSet: { chars: ['1', '2'], length: 6 } });
  await sendCaptcha((code, key) => serverAlova.Post('/sms', { code, key }), { key: '+15550100' });
  await retry(sendCaptcha((code, key) => serverAlova.Post('/sms', { code, key }), { key: '+15550101' }), { retry: 2 });
  const valid: boolean = await verifyCaptcha('1234', '+15550100');
  return { ok, left, valid };
}
export { serverHooks };
// --- @alova/native/psc
import cluster from 'node:cluster';
import {
  AlovaIPCID,
  ExplicitCacheAdapter,
  NodeSyncAdapter,
  RedisSyncAdapter,
  createNodePSCSynchronizer,
  createPSCAdapter,
  createPSCSynchronizer,
  createSyncAdapter,
  ElectronSyncAdapter,
  createElectronPSCSynchronizer,
  type SharedCacheEvent,
} from '@alova/native/psc';

async function pscUsage() {
  if (cluster.isPrimary) {
    const stop: () => void = await createNodePSCSynchronizer(AlovaIPCID);
    stop();
  } else {
    const l1Cache = createPSCAdapter(NodeSyncAdapter((stop) => void stop, 'my-app'));
    await l1Cache.set('k', [{ a: 1 }, Date.now() + 1000]);
    const v = await l1Cache.get<[unknown, number]>('k');
    void v;
    const scoped = createPSCAdapter(NodeSyncAdapter(), new ExplicitCacheAdapter(), { scope: 'admin' });
    scoped.cacheAdapter.getCache();
  }
  const acrossHosts = createPSCAdapter(RedisSyncAdapter({ url: 'redis://127.0.0.1:6379', channel: 'my-app' }));
  await acrossHosts.syncAdapter.ready;
  const events: SharedCacheEvent[] = [];
  const custom = createSyncAdapter({
    send: (e: SharedCacheEvent) => void events.push(e),
    receive: (handler) => void handler({ senderID: '', type: 'init', key: '', value: '{}' }),
  });
  createPSCSynchronizer(custom);
  createPSCAdapter(custom);
  const ipc = { send: (_c: string) => {}, on: (_c: string, _l: (e: unknown) => void) => ipc };
  createPSCAdapter(ElectronSyncAdapter(ipc));
  createElectronPSCSynchronizer({ on: () => undefined });
}
export { pscUsage };
