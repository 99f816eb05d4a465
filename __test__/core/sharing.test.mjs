// Request sharing: identical in-flight sends reuse one adapter handle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createAlova } from '@alova/native';
import { countingAdapter } from '../helpers/core-adapters.mjs';
import { startFixture, fixtureAlova } from '../helpers/core-fixture.mjs';

const require = createRequire(import.meta.url);
const { inflight, inflightCount } = require('../../lib/core/send.js');

let fx;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

function counted(options = {}) {
  const counts = { before: 0, success: 0, complete: 0 };
  const adapter = options.requestAdapter || countingAdapter(undefined, 30);
  const alova = createAlova({
    cacheFor: null,
    cacheLogger: false,
    requestAdapter: adapter,
    beforeRequest: () => {
      counts.before++;
    },
    responded: {
      onSuccess: (r) => {
        counts.success++;
        return r;
      },
      onComplete: () => {
        counts.complete++;
      },
    },
    ...options,
  });
  return { alova, adapter, counts };
}

test('identical concurrent sends call the adapter once; each runs its own hooks', async () => {
  const { alova, adapter, counts } = counted();
  const [r1, r2] = await Promise.all([alova.Get('/same').send(), alova.Get('/same').send()]);
  assert.equal(adapter.calls.length, 1);
  assert.deepEqual(r1, r2);
  assert.notEqual(r1, r2, 'each sharer gets its own copy');
  assert.deepEqual(counts, { before: 2, success: 2, complete: 2 });
});

test('the in-flight entry is removed once settled; a later send starts a new request', async () => {
  const { alova, adapter } = counted();
  const p = alova.Get('/later').send();
  await new Promise((r) => setImmediate(r));
  assert.equal(inflightCount(alova.id), 1, 'registered while in flight');
  await p;
  assert.equal(inflightCount(alova.id), 0, 'the request leaves its namespace');
  await alova.Get('/later').send();
  assert.equal(adapter.calls.length, 2);
});

test('emptied namespaces of many instances are swept, not kept forever', async () => {
  for (let i = 0; i < 200; i++) await counted({ requestAdapter: countingAdapter(undefined, 0) }).alova.Get('/once').send();
  assert.ok(inflight.size <= 65, `${inflight.size} namespaces kept`);
});

test('shareRequest: false (method or instance) always sends', async () => {
  const { alova, adapter } = counted();
  await Promise.all([alova.Get('/x', { shareRequest: false }).send(), alova.Get('/x', { shareRequest: false }).send()]);
  assert.equal(adapter.calls.length, 2);
  const b = counted({ shareRequest: false });
  await Promise.all([b.alova.Get('/x').send(), b.alova.Get('/x').send()]);
  assert.equal(b.adapter.calls.length, 2);
});

test('instances with equal ids share in-flight requests; different ids do not', async () => {
  const adapter = countingAdapter(undefined, 30);
  const a = counted({ id: 'share-a', requestAdapter: adapter }).alova;
  const a2 = counted({ id: 'share-a', requestAdapter: adapter }).alova;
  const b = counted({ id: 'share-b', requestAdapter: adapter }).alova;
  await Promise.all([a.Get('/id').send(), a2.Get('/id').send(), b.Get('/id').send()]);
  assert.equal(adapter.calls.length, 2);
});

test('aborting through one sharer aborts the shared request for all', async () => {
  const { alova, adapter } = counted({ requestAdapter: countingAdapter(undefined, 200) });
  const m1 = alova.Get('/abort-shared');
  const m2 = alova.Get('/abort-shared');
  const p1 = m1.send();
  const p2 = m2.send();
  await new Promise((r) => setImmediate(r));
  m2.abort();
  await assert.rejects(p1, { name: 'AbortError' });
  await assert.rejects(p2, { name: 'AbortError' });
  assert.equal(adapter.calls.length, 1);
  assert.equal(inflightCount(alova.id), 0, 'aborted entries are removed too');
});

test('a failure reaches every sharer', async () => {
  const failing = countingAdapter(() => {
    throw new Error('origin down');
  }, 20);
  const { alova } = counted({ requestAdapter: failing });
  const results = await Promise.allSettled([alova.Get('/f').send(), alova.Get('/f').send()]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(failing.calls.length, 1);
});

test('special bodies are never shared', async () => {
  const { alova, adapter } = counted();
  const form = () => {
    const f = new FormData();
    f.append('a', '1');
    return f;
  };
  const m1 = alova.Post('/form', form());
  const m2 = alova.Post('/form', form());
  assert.equal(m1.key, m2.key);
  await Promise.all([m1.send(), m2.send()]);
  assert.equal(adapter.calls.length, 2);
});

test('100 identical concurrent sends make one request to a real origin', async () => {
  const alova = fixtureAlova(fx.url, { cacheFor: null });
  const before = fx.hits['/unit-test-1s'] || 0;
  const results = await Promise.all(Array.from({ length: 100 }, () => alova.Get('/unit-test-1s').send()));
  assert.equal((fx.hits['/unit-test-1s'] || 0) - before, 1);
  assert.equal(results.length, 100);
  assert.ok(results.every((r) => r.code === 200));
});
