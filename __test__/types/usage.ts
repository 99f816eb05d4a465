// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };

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
