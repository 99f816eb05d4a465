// One conformance suite for every store the rate limiter has. Call it from a test file with a
// factory; each case gets fresh storage from it.
//
//   rateLimitConformance('redis', async () => ({ storage, limiter?, processes?, close }))
//
// storage(): a fresh storage object for `createRateLimiter`.
// limiter(options, storage): the limiter factory (default: `createRateLimiter({ ...options, storage })`).
// processes(key, points): argument lists for `ratelimit-worker.mjs`, one per child process, when
//   the store is shared between processes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRateLimiter } from '@alova/native/server';
import { makeAlova } from '../fixtures/server/alova.mjs';
import { runTogether } from '../fixtures/server/children.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const json = (r) => JSON.parse(JSON.stringify(r));
const method = () => makeAlova('http://127.0.0.1:1').Get('/unit');
const worker = fileURLToPath(new URL('../fixtures/server/ratelimit-worker.mjs', import.meta.url));

export function rateLimitConformance(name, create) {
  describe(`rate-limit conformance: ${name}`, () => {
    let backend;
    before(async () => {
      backend = await create();
    });
    after(async () => {
      if (backend.close) await backend.close();
    });
    const limit = (options, storage = backend.storage()) =>
      backend.limiter ? backend.limiter(options, storage) : createRateLimiter({ ...options, storage });
    const opts = { points: 4, duration: 60_000, blockDuration: 100_000 };

    it('a fresh key has no record', async () => {
      assert.equal(await limit(opts)(method()).get(), null);
    });

    it('consumes within the limit, then get reads the record', async () => {
      const m = limit(opts)(method(), { key: 'k' });
      const first = json(await m.consume());
      assert.ok(first.msBeforeNext > 59_000 && first.msBeforeNext <= 60_000);
      assert.deepEqual({ ...first, msBeforeNext: 0 }, { remainingPoints: 3, msBeforeNext: 0, consumedPoints: 1, isFirstInDuration: true });
      const got = json(await m.get());
      assert.equal(got.consumedPoints, 1);
      assert.equal(got.remainingPoints, 3);
      assert.equal(got.isFirstInDuration, false);
      assert.ok(got.msBeforeNext > 59_000 && got.msBeforeNext <= 60_000);
    });

    it('over the limit rejects with a RateLimiterRes and blocks for blockDuration', async () => {
      const m = limit(opts)(method(), { key: 'b' });
      await m.consume();
      const rej = await m.consume(4).then(
        () => assert.fail('should reject'),
        (r) => r,
      );
      assert.ok(!(rej instanceof Error), 'rejects with a RateLimiterRes, not an Error');
      assert.equal(rej.remainingPoints, 0);
      assert.equal(rej.consumedPoints, 5);
      assert.equal(rej.isFirstInDuration, false);
      assert.equal(rej.msBeforeNext, 100_000);
      assert.ok((await m.get()).msBeforeNext > 99_000, 'the stored window was extended');
      const again = await m.consume().catch((r) => r);
      assert.equal(again.consumedPoints, 6);
      assert.ok(again.msBeforeNext > 99_000 && again.msBeforeNext <= 100_000, 'a later excess does not extend the block');
    });

    it('a key function is evaluated on every operation', async () => {
      let who = 'Tom';
      const m = limit(opts)(method(), { key: () => who });
      const tom = await m.consume(5).catch((r) => r);
      assert.equal(tom.consumedPoints, 5);
      assert.ok(tom.msBeforeNext >= 99_000);
      who = 'Jerry';
      assert.deepEqual(
        { ...json(await m.consume()), msBeforeNext: 0 },
        { remainingPoints: 3, msBeforeNext: 0, consumedPoints: 1, isFirstInDuration: true },
      );
      who = 'Tom';
      const again = await m.consume().catch((r) => r);
      assert.equal(again.consumedPoints, 6);
      assert.equal(again.isFirstInDuration, false);
    });

    it('msBeforeNext counts down with the clock', async () => {
      const real = Date.now;
      let now = real();
      Date.now = () => now;
      try {
        const m = limit({ points: 1, duration: 4000 })(method());
        await m.consume();
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 4000);
        now += 1000;
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 3000);
        now += 1000;
        assert.equal((await m.consume().catch((r) => r)).msBeforeNext, 2000);
      } finally {
        Date.now = real;
      }
    });

    it('set, block, penalty, reward, delete', async () => {
      const m = limit(opts)(method(), { key: 'ops' });
      assert.deepEqual(json(await m.set(2, 30_000)), { remainingPoints: 0, msBeforeNext: 30_000, consumedPoints: 2, isFirstInDuration: false });
      assert.equal((await m.get()).consumedPoints, 2);
      const pen = await m.penalty(1);
      assert.equal(pen.consumedPoints, 3);
      const rew = await m.reward(2);
      assert.equal(rew.consumedPoints, 1);
      assert.deepEqual(json(await m.block(5000)), { remainingPoints: 0, msBeforeNext: 5000, consumedPoints: 5, isFirstInDuration: false });
      assert.equal((await m.consume().catch((r) => r)).consumedPoints, 6);
      assert.equal(await m.delete(), true);
      assert.equal(await m.get(), null);
      // set with 0 ms never expires
      assert.equal((await m.set(3, 0)).msBeforeNext, -1);
      assert.equal((await m.get()).msBeforeNext, -1);
    });

    it('refuses NaN, 0 and negative points by name, and leaves the record alone', async () => {
      const m = limit(opts)(method(), { key: 'bad' });
      await m.consume();
      for (const points of [NaN, 0, -1, Infinity, '2']) {
        await assert.rejects(m.consume(points), { code: 'ERR_ALOVA_INVALID_ARG', message: /consume: points must be a positive finite number/ });
      }
      for (const points of [NaN, -1, Infinity]) {
        await assert.rejects(m.penalty(points), { code: 'ERR_ALOVA_INVALID_ARG', message: /penalty: points/ });
        await assert.rejects(m.reward(points), { code: 'ERR_ALOVA_INVALID_ARG', message: /reward: points/ });
      }
      assert.equal((await m.get()).consumedPoints, 1);
    });

    it('long and non-ASCII keys are kept apart', async () => {
      const storage = backend.storage();
      const long = 'ü'.repeat(300) + '🙂';
      const a = limit({ points: 2, duration: 60_000 }, storage)(method(), { key: long });
      const b = limit({ points: 2, duration: 60_000 }, storage)(method(), { key: long.slice(0, -2) });
      await a.consume();
      await a.consume();
      await b.consume();
      assert.equal((await a.get()).consumedPoints, 2);
      assert.equal((await b.get()).consumedPoints, 1);
      assert.equal((await limit({ points: 2 }, storage)(method(), { key: 'short' }).consume()).consumedPoints, 1);
      await a.delete();
      assert.equal(await a.get(), null);
      assert.equal((await b.get()).consumedPoints, 1);
    });

    it('exactly `points` pass under 1000 concurrent consumes', async () => {
      const m = limit({ points: 100, duration: 60_000 })(method(), { key: 'race' });
      const results = await Promise.allSettled(Array.from({ length: 1000 }, () => m.consume()));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 100);
      assert.ok(results.every((r) => r.status === 'fulfilled' || !(r.reason instanceof Error)));
      assert.equal((await m.get()).consumedPoints, 1000);
    });

    it('a window and a block end on time (milliseconds kept)', async () => {
      const m = limit({ points: 1, duration: 300 })(method(), { key: 'ms' });
      const first = await m.consume();
      assert.ok(first.msBeforeNext > 0 && first.msBeforeNext <= 300, `msBeforeNext ${first.msBeforeNext}`);
      await assert.rejects(m.consume());
      await sleep(350);
      assert.equal(await m.get(), null);
      assert.equal((await m.consume()).consumedPoints, 1, 'a new window after 300 ms');
      const b = limit({ points: 1, duration: 60_000, blockDuration: 200 })(method(), { key: 'bms' });
      await b.consume();
      assert.equal((await b.consume().catch((r) => r)).msBeforeNext, 200);
      await sleep(250);
      assert.equal(await b.get(), null);
    });

    it('exactly `points` pass across processes sharing the store', async (t) => {
      if (!backend.processes) return t.skip('the store is not shared between processes');
      const out = await runTogether(worker, backend.processes(`cross-${Date.now()}`, 100));
      for (const o of out) assert.deepEqual(o.errors, []);
      assert.equal(out.reduce((n, o) => n + o.passed, 0), 100);
    });
  });
}
