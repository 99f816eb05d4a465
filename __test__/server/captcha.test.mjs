import test from 'node:test';
import assert from 'node:assert/strict';
import { createCaptchaProvider, retry } from '@alova/native/server';
import { startHttpServer, startRedis, readBody } from '../helpers/servers.mjs';
import { makeAlova, mapStorage } from '../fixtures/server/alova.mjs';
import Redis from 'ioredis';
import { redisAdapter } from '../fixtures/server/redis-adapter.mjs';
import { runTogether } from '../fixtures/server/children.mjs';

/** Runs `fn` with Date.now() returning the controllable `clock.now`. */
async function withClock(fn) {
  const real = Date.now;
  const clock = { now: real() };
  Date.now = () => clock.now;
  try {
    return await fn(clock);
  } finally {
    Date.now = real;
  }
}

let srv;
let redis;
const redisStores = [];
let received = [];
let failNext = 0;

/** A Redis-backed store on this suite's redis-server, closed at the end. */
function redisStore(prefix) {
  const store = redisAdapter(redis.port, prefix);
  redisStores.push(store);
  return store;
}

test.before(async () => {
  redis = await startRedis();
  srv = await startHttpServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString() || '{}');
    if (failNext > 0) {
      failNext--;
      return res.writeHead(500).end();
    }
    received.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sent: body }));
  });
});
test.after(async () => {
  for (const s of redisStores) s.close();
  await redis.stop();
  await srv.close();
});
test.beforeEach(() => {
  received = [];
  failNext = 0;
});

const post = (code, key) => makeAlova(srv.url).Post('/captcha', { code, key });

test('store is required', () => {
  assert.throws(() => createCaptchaProvider({}), { name: '[alova/Captcha]', code: 'ERR_ALOVA_INVALID_ARG', message: 'store is required' });
});

test('a send stores [{ code, resetTs }, expireTs] with a 4-digit code', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  assert.equal(typeof sendCaptcha, 'function');
  await withClock(async (clock) => {
    const res = await sendCaptcha(post, { key: 'test' });
    const [rec, expireTs] = store.map.get('alova-captcha:test');
    assert.match(rec.code, /^\d{4}$/);
    assert.deepEqual(res, { sent: { code: rec.code, key: 'test' } });
    assert.equal(expireTs, clock.now + 300000);
    assert.equal(rec.resetTs, clock.now + 60000);
    assert.deepEqual(Object.keys(rec), ['code', 'resetTs']);
  });
});

test('a second send before resetTime rejects with alova’s text', async () => {
  const { sendCaptcha } = createCaptchaProvider({ store: mapStorage(), resetTime: 1000 });
  await sendCaptcha(post, { key: 'k' });
  await assert.rejects(sendCaptcha(post, { key: 'k' }), {
    name: '[alova/Captcha]',
    message: 'Cannot send captcha yet, please wait',
  });
  assert.equal(received.length, 1);
});

test('resendFormStore reuses the stored code before expiry', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store, resendFormStore: true });
  await withClock(async (clock) => {
    await sendCaptcha(post, { key: 'k' });
    const first = store.map.get('alova-captcha:k')[0].code;
    clock.now += 61_000;
    await sendCaptcha(post, { key: 'k' });
    assert.equal(store.map.get('alova-captcha:k')[0].code, first);
    assert.deepEqual(
      received.map((r) => r.code),
      [first, first],
    );
    clock.now += 300_000; // past expiry: a new code is drawn (it may repeat by chance only)
    await sendCaptcha(post, { key: 'k' });
  });
});

test('codeSet as array, object and function', async () => {
  const codeOf = async (codeSet) => {
    const store = mapStorage();
    await createCaptchaProvider({ store, codeSet }).sendCaptcha(post, { key: 'c' });
    return store.map.get('alova-captcha:c')[0].code;
  };
  assert.match(await codeOf(['A', 'B', 'C']), /^[ABC]{4}$/);
  assert.match(await codeOf({ chars: ['X', 'Y', 'Z'], length: 6 }), /^[XYZ]{6}$/);
  assert.equal(await codeOf(() => '1234'), '1234');
});

test('a codeSet that cannot make a code is refused at createCaptchaProvider, naming codeSet', () => {
  for (const codeSet of [[], { chars: [] }, { length: 0 }, { chars: ['a'], length: 1.5 }, 'abc', null]) {
    assert.throws(() => createCaptchaProvider({ store: mapStorage(), codeSet }), {
      name: '[alova/Captcha]',
      code: 'ERR_ALOVA_INVALID_ARG',
      message: /^`codeSet` /,
    });
  }
});

test('codeSet runs only for sends that proceed (JS adapter and Redis), not for refused or reused ones', async () => {
  for (const store of [mapStorage(), redisStore('codeset:')]) {
    let made = 0;
    const codeSet = () => `c${++made}`;
    const { sendCaptcha } = createCaptchaProvider({ store, codeSet, resetTime: 1000, resendFormStore: true });
    await withClock(async (clock) => {
      await sendCaptcha(post, { key: 'once' });
      await assert.rejects(sendCaptcha(post, { key: 'once' }), { message: 'Cannot send captcha yet, please wait' });
      assert.equal(made, 1, 'a refused resend draws no code');
      clock.now += 2000;
      await sendCaptcha(post, { key: 'once' });
      assert.equal(made, 1, 'a resend of the stored code draws none');
      await sendCaptcha(post, { key: 'fresh' });
      assert.equal(made, 2);
    });
  }
  assert.deepEqual(
    received.map((r) => r.code),
    ['c1', 'c1', 'c2', 'c1', 'c1', 'c2'],
  );
});

test('codes are spread over the whole set (crypto random)', async () => {
  const { generateCode } = await import('../../lib/server/captcha.js');
  const seen = new Map();
  for (let i = 0; i < 2000; i++) {
    const c = generateCode({ chars: ['a', 'b', 'c', 'd'], length: 1 });
    seen.set(c, (seen.get(c) || 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), ['a', 'b', 'c', 'd']);
  for (const n of seen.values()) assert.ok(n > 350 && n < 650, `skewed: ${[...seen]}`);
});

test('verifyCaptcha: right code removes the record, wrong code keeps it, expiry removes it', async () => {
  const store = mapStorage();
  const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({ store, expireTime: 1000 });
  await withClock(async (clock) => {
    await sendCaptcha(post, { key: 'v' });
    const code = store.map.get('alova-captcha:v')[0].code;
    assert.equal(await verifyCaptcha('wrong', 'v'), false);
    assert.ok(store.map.has('alova-captcha:v'));
    assert.equal(await verifyCaptcha(code, 'v'), true);
    assert.equal(store.map.has('alova-captcha:v'), false);
    assert.equal(await verifyCaptcha(code, 'v'), false);

    clock.now += 61_000;
    await sendCaptcha(post, { key: 'v' });
    const again = store.map.get('alova-captcha:v')[0].code;
    clock.now += 2000;
    assert.equal(await verifyCaptcha(again, 'v'), false);
    assert.equal(store.map.has('alova-captcha:v'), false);
  });
});

test('a failed send stores nothing and does not block the next one', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  failNext = 1;
  await assert.rejects(sendCaptcha(post, { key: 'f' }), (e) => e.status === 500);
  assert.equal(store.map.has('alova-captcha:f'), false);
  await sendCaptcha(post, { key: 'f' });
  assert.equal(received.length, 1);
});

test('retry(sendCaptcha(...)) retries the sending, as the docs show (fix)', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  failNext = 2;
  const res = await retry(sendCaptcha(post, { key: 'r' }), { retry: 3, backoff: { delay: 5 } });
  assert.equal(received.length, 1);
  const [rec] = store.map.get('alova-captcha:r');
  assert.deepEqual(res, { sent: { code: rec.code, key: 'r' } });
  // the doc's other spelling: build first, then wrap
  failNext = 1;
  const m = sendCaptcha(post, { key: 'r2' });
  assert.ok((await retry(m, { backoff: { delay: 5 } })).sent);
  assert.equal(received.length, 2);
  // retries exhausted: the last error, and nothing stored
  failNext = 5;
  await assert.rejects(retry(sendCaptcha(post, { key: 'r3' }), { retry: 1, backoff: { delay: 1 } }), (e) => e.status === 500);
  assert.equal(store.map.has('alova-captcha:r3'), false);
});

test('the composition alova supports still works: retry inside the handler', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  failNext = 1;
  const res = await sendCaptcha((code, key) => retry(post(code, key), { backoff: { delay: 5 } }), { key: 'in' });
  assert.equal(res.sent.key, 'in');
  assert.ok(store.map.has('alova-captcha:in'));
});

test('concurrent sends for one key: exactly one passes the resend interval', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => sendCaptcha(post, { key: 'race' })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => /Cannot send captcha yet/.test(r.reason.message)));
  assert.equal(received.length, 1);
  // the stored code is the one that was sent
  assert.equal(store.map.get('alova-captcha:race')[0].code, received[0].code);
});

test('abort() of a sending aborts its request and releases the key', async () => {
  const store = mapStorage();
  const { sendCaptcha } = createCaptchaProvider({ store });
  let arrived;
  const hanging = await startHttpServer((req) => arrived(req));
  try {
    const got = new Promise((r) => (arrived = r));
    const sending = sendCaptcha((code, key) => makeAlova(hanging.url).Post('/c', { code, key }), { key: 'ab' });
    await got;
    await Promise.all([sending.abort(), assert.rejects(sending, { name: 'AbortError' })]);
    assert.equal(store.map.has('alova-captcha:ab'), false);
  } finally {
    await hanging.close();
  }
});

test('on Redis: one send per resend interval under concurrency and across processes', async () => {
  const store = redisStore('cap:');
  const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({ store, resetTime: 60_000 });

  const results = await Promise.allSettled(Array.from({ length: 20 }, () => sendCaptcha(post, { key: 'race' })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.equal(received.length, 1);
  const [rec, expireTs] = await store.get('alova-captcha:race');
  assert.equal(rec.code, received[0].code);
  assert.ok(expireTs > Date.now());
  const raw = new Redis({ port: redis.port, host: '127.0.0.1' });
  const ttl = await raw.pttl('cap:alova-captcha:race');
  raw.disconnect();
  assert.ok(ttl > 290_000 && ttl <= 300_000, `ttl ${ttl}`);

  // a failed send gives the key back
  failNext = 1;
  await assert.rejects(sendCaptcha(post, { key: 'fail' }));
  assert.equal(await store.get('alova-captcha:fail'), undefined);
  await sendCaptcha(post, { key: 'fail' });
  assert.equal(await verifyCaptcha(received.at(-1).code, 'fail'), true);

  const worker = new URL('../fixtures/server/captcha-worker.mjs', import.meta.url).pathname;
  received = [];
  const out = await runTogether(worker, Array.from({ length: 4 }, () => [String(redis.port), 'cap:', srv.url, 'proc']));
  assert.equal(out.filter((o) => o.sent).length, 1, JSON.stringify(out));
  assert.ok(out.filter((o) => !o.sent).every((o) => o.message === 'Cannot send captcha yet, please wait'));
  assert.equal(received.length, 1);
});

test('on Redis: resendFormStore reuses the stored code', async () => {
  const store = redisStore('resend:');
  const { sendCaptcha } = createCaptchaProvider({ store, resendFormStore: true, resetTime: 50 });
  await sendCaptcha(post, { key: 'k' });
  await new Promise((r) => setTimeout(r, 80));
  await sendCaptcha(post, { key: 'k' });
  assert.equal(received.length, 2);
  assert.equal(received[0].code, received[1].code);
});

test('a code verifies true at most once under concurrent checks (JS adapter and Redis)', async () => {
  for (const store of [mapStorage(), redisStore('once:')]) {
    const { sendCaptcha, verifyCaptcha } = createCaptchaProvider({ store, codeSet: () => '4711' });
    await sendCaptcha(post, { key: 'once' });
    assert.equal(await verifyCaptcha(4711, 'once'), false, 'strict comparison: a number is not the string code');
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyCaptcha('4711', 'once')));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await store.get('alova-captcha:once'), undefined);
  }
});
