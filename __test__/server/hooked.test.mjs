import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@alova/native/server';
import { HookedMethod, retry, atomize, createRateLimiter } from '@alova/native/server';
import { Method } from '@alova/native';
import { startHttpServer } from '../helpers/servers.mjs';
import { makeAlova, mapStorage } from '../fixtures/server/alova.mjs';

const require = createRequire(import.meta.url);

test('require and import give the same five exports', () => {
  const cjs = require('@alova/native/server');
  for (const name of ['HookedMethod', 'retry', 'createCaptchaProvider', 'createRateLimiter', 'atomize']) {
    assert.equal(typeof esm[name], 'function', name);
    assert.equal(esm[name], cjs[name], name);
  }
});

test("require('@alova/native/server').default is the module, as alova/server's CommonJS build", async () => {
  const cjs = require('@alova/native/server');
  assert.equal(cjs.default, cjs);
  assert.equal(esm.default.retry, esm.retry);
});

test('a HookedMethod calls its handler with exactly the arguments of send()', async () => {
  const a = makeAlova('http://127.0.0.1:1');
  const calls = [];
  const handler = function (...args) {
    calls.push(args);
    return Promise.resolve(1);
  };
  const h = new HookedMethod(a.Get('/x'), handler);
  await h.send(true);
  await h.send();
  await retry(h, { retry: 1 }).send(true);
  assert.deepEqual(calls, [[true], [undefined], [true]]);
});

test('a HookedMethod sends through its handler and is a thenable Method', async () => {
  const a = makeAlova('http://127.0.0.1:1');
  const entity = a.Get('/x', { params: { p: 1 } });
  const seen = [];
  const h = new HookedMethod(entity, async (force) => {
    seen.push(force);
    return 'v';
  });
  assert.ok(h instanceof Method);
  assert.equal(Object.prototype.toString.call(h), '[object Object]');
  assert.equal(await h, 'v');
  assert.equal(await h.send(true), 'v');
  assert.equal(await h.then((v) => v + '!'), 'v!');
  assert.equal(await h.finally(() => {}), 'v');
  assert.deepEqual(seen, [undefined, true, undefined, undefined]);
  assert.equal(h.key, entity.key);
  assert.deepEqual(h.config, entity.config);
  assert.notEqual(h.config, entity.config);
  assert.equal(h.uhs, entity.uhs);
  assert.equal(await h.abort(), undefined, 'abort before any send resolves at once');
  const failing = new HookedMethod(entity, async () => {
    throw new Error('no');
  });
  assert.equal(await failing.catch((e) => e.message), 'no');
});

test('retry(atomize(rateLimited)) composes and abort() reaches the innermost request', async () => {
  let arrived;
  const hits = [];
  const srv = await startHttpServer((req, res) => {
    hits.push(req.url);
    if (req.url === '/hang') {
      arrived(req);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}');
  });
  try {
    const l2 = mapStorage();
    const held = new Set();
    l2.locker = {
      async lock(c) {
        if (held.has(c)) throw new Error('held');
        held.add(c);
      },
      async unlock(c) {
        held.delete(c);
      },
    };
    const a = makeAlova(srv.url, { l2Cache: l2 });
    const limiter = createRateLimiter({ points: 2, duration: 60_000 });
    const ok = retry(atomize(limiter(a.Get('/ok'), { key: 'u' })), { retry: 1, backoff: { delay: 1 } });
    assert.deepEqual(await ok, { ok: 1 });
    assert.deepEqual(await ok, { ok: 1 });
    // third send: the limiter rejects each attempt with its result (1 + 1 retry), no request
    const rej = await ok.send().catch((r) => r);
    assert.equal(rej.consumedPoints, 4);
    assert.equal(hits.length, 2);
    assert.equal(held.size, 0);

    const got = new Promise((r) => (arrived = r));
    const hanging = retry(atomize(limiter(a.Get('/hang'), { key: 'v' })), { retry: 3, backoff: { delay: 1 } });
    const p = hanging.send();
    const req = await got;
    const closed = new Promise((r) => req.socket.on('close', r));
    await Promise.all([hanging.abort(), assert.rejects(p, { name: 'AbortError' })]);
    await closed;
    assert.equal(held.size, 0, 'the lock was released');
    assert.equal(hits.filter((u) => u === '/hang').length, 1, 'no retry after abort');
  } finally {
    await srv.close();
  }
});
