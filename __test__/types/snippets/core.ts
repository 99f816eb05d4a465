// alova's documented server-side usage: createAlova with each kind of adapter, methods, hooks
// and the cache API. Compiled against our types and against alova's own (same result).
import { createAlova, invalidateCache, setCache, queryCache, hitCacheBySource, globalConfig, Method } from '@alova/native';
import type { AlovaGlobalCacheAdapter, AlovaRequestAdapter, Arg, StandardMethodType, CustomMethodType, UpdateOptions, MethodType } from '@alova/native';
import adapterFetch from '@alova/native/fetch';

interface User {
  id: number;
  name: string;
}

export const alovaInstance = createAlova({
  baseURL: 'https://api.example.com',
  requestAdapter: adapterFetch(),
  timeout: 5000,
  cacheFor: { GET: 60_000, POST: 0 },
  beforeRequest(method) {
    method.config.headers.token = 'token';
  },
  responded: {
    onSuccess: async (response, method) => {
      if (response.status >= 400) throw new Error(response.statusText);
      const json = await response.json();
      return method.meta ? json.data : json;
    },
    onError: (error, method) => {
      console.error(error.message, method.url);
    },
    onComplete: async () => {},
  },
});

export const withCustomFetch = createAlova({
  requestAdapter: adapterFetch({ customFetch: (input, init) => fetch(input, init) }),
  responded: (response) => response.json(),
});

// A hand-written adapter, as alova's docs show for custom request libraries.
const customAdapter: AlovaRequestAdapter<{ retries?: number }, { body: string }, Record<string, string>> = (elements) => {
  const ac = new AbortController();
  const res = fetch(elements.url, { method: elements.type, signal: ac.signal }).then(async (r) => ({ body: await r.text() }));
  return {
    response: () => res,
    headers: async () => ({}),
    abort: () => ac.abort(),
  };
};
export const withCustomAdapter = createAlova({
  requestAdapter: customAdapter,
  responded: (r) => r.body,
});

// A plain object storage, as users write them.
const mapCache = new Map<string, any>();
export const objectStorage: AlovaGlobalCacheAdapter = {
  set(key, value) {
    mapCache.set(key, value);
  },
  get(key) {
    return mapCache.get(key);
  },
  remove(key) {
    mapCache.delete(key);
  },
  clear() {
    mapCache.clear();
  },
};
export const withStorage = createAlova({ requestAdapter: adapterFetch(), l2Cache: objectStorage, responded: (r) => r.json() });

export const getUser = (id: number) =>
  alovaInstance.Get(`/users/${id}`, {
    params: { id },
    headers: { 'x-trace': '1' },
    cacheFor: { mode: 'restore', expire: 60_000 },
    transform: (user: User) => ({ ...user, label: `#${user.id}` }),
    name: 'user',
    meta: { auth: true },
  });

export async function usage() {
  const user = await getUser(1);
  const label: string = user.label;
  const created = await alovaInstance.Post<User>('/users', { name: 'a' }, { timeout: 1000 });
  const viaSend = await getUser(2).send(true);
  const m: Method = getUser(3);
  m.abort();
  await invalidateCache();
  await invalidateCache(getUser(1));
  await setCache(getUser(1), { id: 1, name: 'x', label: '#1' });
  await setCache(getUser(1), (old) => old && { ...old, name: 'y' });
  const cached = await queryCache(getUser(1));
  await hitCacheBySource(getUser(1));
  globalConfig({ autoHitCache: 'close' });
  const arg: Arg = { a: 1 };
  const std: StandardMethodType = 'get';
  const custom: CustomMethodType = 'PROPFIND';
  const any: MethodType = std;
  const options: UpdateOptions = { onMatch: (method) => method.abort() };
  return [label, created, viaSend, cached, arg, custom, any, options];
}
