// RedisLocker against a real redis-server: ownership tokens, all-or-nothing multi-resource
// locks, renewal while held, expiry after a holder dies, and contention between processes.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpServer } from '../helpers/servers.mjs';
import { useRedis } from '../fixtures/storage/redis.mjs';
import { contend, overlap, spawnLocker } from '../fixtures/storage/contention.mjs';

const require = createRequire(import.meta.url);

describe('storage-redis locker', () => {
  const fx = useRedis();
  const locker = (config = {}) => fx.make(config).locker;
  const noRetry = { redlockOptions: { retryCount: 0 } };
  let redis;
  let raw;
  before(() => ({ redis, raw } = fx));

  it('locks with a random token and a ttl, and unlock deletes the key', async () => {
    const l = locker({ redlockTTL: 3000 });
    assert.equal(l, l.backend.locker, 'the locker is created once per adapter');
    await l.lock('res-a');
    const token = await raw.get('res-a');
    assert.match(token, /^[0-9a-f]{32}$/);
    const pttl = await raw.pttl('res-a');
    assert.ok(pttl > 2000 && pttl <= 3000, `pttl ${pttl}`);
    await l.unlock('res-a');
    assert.equal(await raw.exists('res-a'), 0);
    await l.unlock('res-a'); // not held: ignored
    await l.unlock(['never-locked', 'res-a']);
  });

  it('a held resource cannot be locked again, by another locker or the same one', async () => {
    const a = locker(noRetry);
    const b = locker(noRetry);
    await a.lock('res-b');
    await assert.rejects(b.lock('res-b'), (e) => e.code === 'ERR_ALOVA_LOCKED' && e.name === '[alova/storage:redis]');
    await assert.rejects(a.lock('res-b'), (e) => e.code === 'ERR_ALOVA_LOCKED');
    await b.unlock('res-b'); // b does not own it: nothing happens
    assert.equal(await raw.exists('res-b'), 1);
    await a.unlock('res-b');
    await b.lock('res-b');
    await b.unlock('res-b');
  });

  it('only the owner releases: a lock that expired and was taken by another is left alone', async () => {
    const a = locker({ redlockTTL: 5000 });
    await a.lock('res-c');
    await raw.set('res-c', 'someone-else'); // as if it expired and another process took it
    await assert.rejects(a.unlock('res-c'), (e) => e.code === 'ERR_ALOVA_LOCK_LOST');
    assert.equal(await raw.get('res-c'), 'someone-else');
    await raw.del('res-c');
  });

  it('a multi-resource lock is all or nothing', async () => {
    const a = locker(noRetry);
    const b = locker(noRetry);
    await b.lock('res-2');
    await assert.rejects(a.lock(['res-1', 'res-2']), (e) => e.code === 'ERR_ALOVA_LOCKED');
    assert.equal(await raw.exists('res-1'), 0, 'no partial lock is left behind');
    await b.unlock('res-2');
    await a.lock(['res-1', 'res-2']);
    assert.equal(await raw.exists('res-1', 'res-2'), 2);
    await a.unlock(['res-1', 'res-2']);
    assert.equal(await raw.exists('res-1', 'res-2'), 0);
  });

  it('waits for a busy lock with Redlock-style retries', async () => {
    const a = locker();
    const b = locker({ redlockOptions: { retryDelay: 50, retryJitter: 20 } });
    await a.lock('res-d');
    const t0 = Date.now();
    setTimeout(() => a.unlock('res-d'), 300);
    await b.lock('res-d');
    assert.ok(Date.now() - t0 >= 250);
    await b.unlock('res-d');
  });

  it('keeps a lock held past its ttl while the holder is alive', async () => {
    const slow = locker({ redlockTTL: 300 });
    const other = locker(noRetry);
    await slow.lock('res-e');
    const until = Date.now() + 1200; // four times the ttl
    while (Date.now() < until) {
      await assert.rejects(other.lock('res-e'), (e) => e.code === 'ERR_ALOVA_LOCKED');
      await sleep(100);
    }
    assert.ok((await raw.pttl('res-e')) > 0);
    await slow.unlock('res-e');
    await other.lock('res-e');
    await other.unlock('res-e');
  });

  it('a lock whose holder died expires after its ttl', async () => {
    const proc = spawnLocker('redis', { port: redis.port, redlockTTL: 500 }, 'res-f', 0, true);
    const [line] = await once(proc.stdout, 'data');
    assert.equal(String(line).trim(), 'locked');
    proc.kill('SIGKILL');
    await once(proc, 'exit');
    const l = locker({ redlockOptions: { retryCount: 50, retryDelay: 50, retryJitter: 0 } });
    const t0 = Date.now();
    await l.lock('res-f');
    assert.ok(Date.now() - t0 < 2500);
    await l.unlock('res-f');
  });

  it('rejects a ttl that is not positive', async () => {
    await assert.rejects(locker({ redlockTTL: 0 }).lock('res-g'), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
  });

  it('five processes contending for one resource hold it one after another', async () => {
    const config = { port: redis.port, redlockOptions: { retryCount: 100, retryDelay: 20, retryJitter: 20 } };
    const periods = await contend('redis', config, 'res-proc', { n: 5, hold: 50 });
    assert.equal(periods.length, 5);
    assert.equal(overlap(periods), null, JSON.stringify(periods));
  });

  it('makes alova’s atomize run one send at a time', async () => {
    const { createAlova } = require('alova');
    const { atomize } = require('alova/server');
    const adapterFetch = require('alova/fetch');
    let active = 0;
    let maxActive = 0;
    const origin = await startHttpServer(async (req, res) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(30);
      active--;
      res.end('{}');
    });
    try {
      const l2Cache = fx.make({ redlockOptions: { retryDelay: 10, retryJitter: 10 } });
      const alova = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), l2Cache, cacheFor: null, cacheLogger: false });
      await Promise.all(Array.from({ length: 5 }, (_, i) => atomize(alova.Get(`/a${i}`), { channel: 'atom' }).send()));
      assert.equal(maxActive, 1);
    } finally {
      await origin.close();
    }
  });
});
