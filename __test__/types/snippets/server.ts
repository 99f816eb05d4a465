// alova/server's documented hooks, as a migrated service uses them.
import { createAlova } from '@alova/native';
import type { AlovaGlobalCacheAdapter } from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import { retry, createRateLimiter, createCaptchaProvider, atomize, HookedMethod } from '@alova/native/server';
import serverHooks from '@alova/native/server';

const store = new Map<string, any>();
const storage: AlovaGlobalCacheAdapter = {
  set: (k, v) => void store.set(k, v),
  get: (k) => store.get(k),
  remove: (k) => void store.delete(k),
  clear: () => store.clear(),
};

const alovaInstance = createAlova({
  baseURL: 'https://api.example.com',
  requestAdapter: adapterFetch(),
  l2Cache: storage,
  responded: (response) => response.json(),
});

const getData = (id: number) => alovaInstance.Get<{ id: number }>(`/data/${id}`);

export async function retrying() {
  const data = await retry(getData(1), {
    retry: 3,
    backoff: { delay: 2000, multiplier: 2, startQuiver: 0.5, endQuiver: 0.5 },
  });
  const id: number = data.id;
  const again = await retry(getData(2)).send(true);
  return [id, again];
}

const limit = createRateLimiter({ points: 4, duration: 60 * 1000, keyPrefix: 'api', blockDuration: 1000, storage });
export async function limited(ip: string) {
  try {
    const method = limit(getData(3), { key: ip });
    const res = await method;
    const state = await method.get();
    await method.consume(1);
    await method.reward(1);
    await method.penalty(1);
    await method.block(1000);
    await method.delete();
    return [res, state];
  } catch (e) {
    return e;
  }
}

const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({
  store: storage,
  resetTime: 60 * 1000,
  expireTime: 5 * 60 * 1000,
  keyPrefix: 'captcha',
  resendFormStore: true,
  codeSet: { chars: ['0', '1'], length: 6 },
});
export async function captcha(phone: string, code: string) {
  const sent = await sendCaptcha((c, key) => alovaInstance.Post('/sms', { phone: key, code: c }), { key: phone });
  const ok: boolean = await verifyCaptcha(code, phone);
  return [sent, ok];
}

export async function atomic() {
  return atomize(getData(4), { channel: 'order', timeout: 3000, interval: 50 });
}

export const hooked = new HookedMethod(getData(5), async (force) => ({ id: force ? 1 : 0 }));
export const hookedValue = hooked.send(true);
export const viaDefault = serverHooks.retry;
