import test from 'node:test';
import assert from 'node:assert/strict';
import { HookedMethod, retry } from '@alova/native/server';
import { Method } from '@alova/native';
import { delayWithBackoff, parseRetryAfter } from '../../lib/server/backoff.js';
import { startHttpServer } from '../helpers/servers.mjs';
import { makeAlova, globalFetchAdapter } from '../fixtures/server/alova.mjs';

const alova = makeAlova('http://127.0.0.1:1');

/** A HookedMethod whose send is `fn` (as alova's own retry tests build it). */
function scripted(fn) {
  const calls = [];
  const m = new HookedMethod(alova.Get('/unit'), (force) => {
    calls.push(force);
    return fn(calls.length);
  });
  return { m, calls };
}

/** Records the delays of setTimeout calls made while `fn` runs. */
async function timeoutDelays(fn) {
  const delays = [];
  const orig = globalThis.setTimeout;
  globalThis.setTimeout = (cb, ms, ...args) => {
    delays.push(ms);
    return orig(cb, ms, ...args);
  };
  try {
    return { result: await fn(), delays };
  } finally {
    globalThis.setTimeout = orig;
  }
}

const fail = () => Promise.reject(new Error('request failed.'));

test('a successful send makes one attempt and passes force through', async () => {
  const { m, calls } = scripted(() => Promise.resolve(123));
  assert.equal(await retry(m, { retry: 3 }).send(true), 123);
  assert.deepEqual(calls, [true]);
});

test('default: 3 retries, then the last error', async () => {
  const { m, calls } = scripted(fail);
  await assert.rejects(retry(m, { backoff: { delay: 1 } }).send(true), /request failed\./);
  assert.deepEqual(calls, [true, true, true, true]);
});

test('retry: 1 makes two attempts; send() without force passes undefined', async () => {
  const { m, calls } = scripted(fail);
  await assert.rejects(retry(m, { retry: 1, backoff: { delay: 1 } }).send(), /request failed\./);
  assert.deepEqual(calls, [undefined, undefined]);
});

test('a predicate decides per failure and sees the error', async () => {
  const { m, calls } = scripted(fail);
  const seen = [];
  let n = 0;
  const pred = (e) => {
    seen.push(e.message);
    return ++n <= 2;
  };
  await assert.rejects(retry(m, { retry: pred, backoff: { delay: 1 } }).send(), /request failed\./);
  assert.equal(calls.length, 3);
  assert.deepEqual(seen, ['request failed.', 'request failed.', 'request failed.']);
});

test('fails twice then succeeds within the limit', async () => {
  const { m, calls } = scripted((n) => (n < 3 ? fail() : Promise.resolve(123)));
  assert.equal(await retry(m, { retry: 5, backoff: { delay: 1 } }).send(), 123);
  assert.equal(calls.length, 3);
});

test('backoff delay and multiplier: 10 then 20 ms', async () => {
  const { m } = scripted((n) => (n < 3 ? fail() : Promise.resolve(123)));
  const { result, delays } = await timeoutDelays(() => retry(m, { backoff: { delay: 10, multiplier: 2 } }).send());
  assert.equal(result, 123);
  assert.deepEqual(delays, [10, 20]);
});

test('quiver ranges follow alova’s formula', async () => {
  for (let i = 0; i < 200; i++) {
    const a = delayWithBackoff({ delay: 10, startQuiver: 0.5 }, 1);
    assert.ok(a >= 15 && a <= 20, String(a));
    const b = delayWithBackoff({ delay: 10, endQuiver: 0.5 }, 1);
    assert.ok(b >= 10 && b <= 15, String(b));
    const c = delayWithBackoff({ delay: 10, startQuiver: 0.5, endQuiver: 0.8 }, 1);
    assert.ok(c >= 15 && c <= 18, String(c));
  }
  assert.equal(delayWithBackoff({ delay: 333, multiplier: 1.5 }, 2), 499.5);
  assert.equal(delayWithBackoff({ multiplier: 2 }, 3), 0);
  // and the hook really waits that long
  const { m } = scripted((n) => (n < 2 ? fail() : Promise.resolve(1)));
  const { delays } = await timeoutDelays(() => retry(m, { backoff: { delay: 10, startQuiver: 0.5 } }).send());
  assert.ok(delays[0] >= 15 && delays[0] <= 20, String(delays[0]));
});

test('attempts are counted per send(), not per wrapped method (fix)', async () => {
  const { m, calls } = scripted(fail);
  const r = retry(m, { retry: 2, backoff: { delay: 1 } });
  await assert.rejects(r.send(), /request failed/);
  assert.equal(calls.length, 3);
  await assert.rejects(r.send(), /request failed/);
  assert.equal(calls.length, 6, 'the second send gets its own 2 retries (alova makes 1 attempt)');
  await assert.rejects(r, /request failed/); // awaiting sends too
  assert.equal(calls.length, 9);
});

test('the result is a HookedMethod, a Method subclass, with the entity’s fields', () => {
  const entity = alova.Post('/p', { a: 1 }, { params: { q: 1 }, meta: { m: 1 }, name: 'n' });
  const r = retry(entity);
  assert.ok(r instanceof HookedMethod);
  assert.ok(r instanceof Method);
  assert.equal(r.type, 'POST');
  assert.equal(r.url, '/p');
  assert.equal(r.data, undefined);
  assert.deepEqual(r.config.params, { q: 1 });
  assert.deepEqual(r.meta, { m: 1 });
  assert.equal(r.config.name, 'n');
  assert.notEqual(r.key, entity.key, 'like alova, the hooked key has no body');
  assert.equal(r.dhs, entity.dhs);
  assert.throws(() => retry(Promise.resolve(1)), { code: 'ERR_ALOVA_INVALID_ARG' });
});

test('against a real server: retries until the server recovers; nested retries compose', async () => {
  let hits = 0;
  const srv = await startHttpServer((req, res) => {
    hits++;
    if (hits < 3) {
      res.writeHead(503).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  try {
    const a = makeAlova(srv.url);
    assert.deepEqual(await retry(a.Get('/x'), { retry: 5, backoff: { delay: 5 } }), { ok: true });
    assert.equal(hits, 3);
    hits = 0;
    // inner: 1 retry per send; outer: 2 retries → up to 2 x 3 = 6 requests; it recovers at 3
    const nested = retry(retry(a.Get('/x'), { retry: 1, backoff: { delay: 1 } }), { retry: 2, backoff: { delay: 1 } });
    assert.deepEqual(await nested, { ok: true });
    assert.equal(hits, 3);
  } finally {
    await srv.close();
  }
});

test('statusCodes: only listed statuses are retried', async () => {
  let hits = 0;
  let status = 503;
  const srv = await startHttpServer((req, res) => {
    hits++;
    res.writeHead(status).end();
  });
  try {
    const a = makeAlova(srv.url);
    const opts = { retry: 2, backoff: { delay: 1 }, statusCodes: [503] };
    await assert.rejects(retry(a.Get('/x'), opts), (e) => e.status === 503);
    assert.equal(hits, 3);
    hits = 0;
    status = 400;
    await assert.rejects(retry(a.Get('/x'), opts), (e) => e.status === 400);
    assert.equal(hits, 1, 'a 400 is not in the list');
  } finally {
    await srv.close();
  }
});

test('errorCodes: network errors are matched along the cause chain', async () => {
  const srv = await startHttpServer(() => {});
  const url = srv.url;
  await srv.close(); // nothing listens there now
  // the package's adapter says ERR_ALOVA_NETWORK; Node's fetch puts ECONNREFUSED in `cause`
  for (const [a, code] of [
    [makeAlova(url), 'ERR_ALOVA_NETWORK'],
    [makeAlova(url, { requestAdapter: globalFetchAdapter() }), 'ECONNREFUSED'],
  ]) {
    let attempts = 0;
    const counted = new HookedMethod(a.Get('/x'), async () => {
      attempts++;
      return a.Get('/x').send();
    });
    await assert.rejects(retry(counted, { retry: 2, backoff: { delay: 1 }, errorCodes: [code] }));
    assert.equal(attempts, 3, code);
    attempts = 0;
    await assert.rejects(retry(counted, { retry: 2, backoff: { delay: 1 }, errorCodes: ['ETIMEDOUT'] }));
    assert.equal(attempts, 1);
  }
});

test('retryAfter honours Retry-After; maxDelay caps the backoff and refuses longer waits', async () => {
  let hits = 0;
  let retryAfter = '1';
  const srv = await startHttpServer((req, res) => {
    hits++;
    if (hits === 1) res.writeHead(429, { 'retry-after': retryAfter }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('1');
  });
  try {
    const a = makeAlova(srv.url);
    const { result, delays } = await timeoutDelays(() =>
      retry(a.Get('/x'), { backoff: { delay: 5 }, retryAfter: true }).send(),
    );
    assert.equal(result, 1);
    assert.ok(delays.includes(1000), `waited ${delays}`);
    // longer than maxDelay: not retried
    hits = 0;
    retryAfter = '120';
    await assert.rejects(retry(a.Get('/x'), { backoff: { delay: 5 }, retryAfter: true, maxDelay: 50 }), (e) => e.status === 429);
    assert.equal(hits, 1);
    // maxDelay caps a long backoff
    const { m } = scripted((n) => (n < 2 ? fail() : Promise.resolve(2)));
    const capped = await timeoutDelays(() => retry(m, { backoff: { delay: 60_000 }, maxDelay: 7 }).send());
    assert.equal(capped.delays[0], 7);
  } finally {
    await srv.close();
  }
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now()) > 3000, true);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('abort() stops the retry loop during the backoff wait', async () => {
  const { m, calls } = scripted(fail);
  const r = retry(m, { retry: 10, backoff: { delay: 60_000 } });
  const p = r.send();
  await new Promise((res) => setImmediate(res));
  assert.equal(calls.length, 1);
  const done = r.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await done;
  assert.equal(calls.length, 1, 'no attempt after abort');
});

test('abort() reaches the request in flight on a real server (fix)', async () => {
  let closed, arrived;
  const gone = new Promise((r) => (closed = r));
  const got = new Promise((r) => (arrived = r));
  const srv = await startHttpServer((req) => {
    req.socket.on('close', closed);
    arrived();
  }); // never answers
  try {
    const a = makeAlova(srv.url);
    const r = retry(a.Get('/slow'), { retry: 3, backoff: { delay: 1 } });
    const p = r.send();
    await got; // abort once the request is at the server, however slow the machine is
    await Promise.all([r.abort(), assert.rejects(p, { name: 'AbortError' })]);
    await gone; // the socket of the aborted request was closed
  } finally {
    await srv.close();
  }
});

test('wrapping something that is not a Method throws alova\'s error shape at the call', () => {
  for (const bad of [undefined, 42, {}, { send: 1 }]) {
    assert.throws(() => retry(bad), { name: '[alova/server]', code: 'ERR_ALOVA_INVALID_ARG', message: 'expected a Method (or a sendCaptcha() result) to wrap' });
  }
});
