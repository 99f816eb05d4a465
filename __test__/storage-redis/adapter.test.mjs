// RedisStorageAdapter against a real redis-server: entries, constructor forms, key prefix, PX
// expiry from alova's [data, expireTs], clear, eval, read coalescing, and alova using it as L2.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { startHttpServer } from '../helpers/servers.mjs';
import { useRedis } from '../fixtures/storage/redis.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');

describe('storage-redis', () => {
  const fx = useRedis();
  const make = fx.make;
  let redis;
  let raw; // an independent client to look at what the adapter wrote
  before(() => ({ redis, raw } = fx));

  it('is the class in CommonJS (with default and __esModule) and the default export in ESM', async () => {
    assert.equal(typeof RedisStorageAdapter, 'function');
    assert.equal(RedisStorageAdapter.default, RedisStorageAdapter);
    assert.equal(RedisStorageAdapter.__esModule, true);
    const esm = await import('@alova/native/storage-redis');
    assert.equal(esm.default, RedisStorageAdapter);
  });

  it('stores JSON under keyPrefix (default alova:) with PX from [data, expireTs]', async () => {
    const a = make();
    assert.equal(a.name, 'adapterRedis');
    const entry = [{ id: 1 }, Date.now() + 2000];
    await a.set('test', entry);
    assert.equal(await raw.get('alova:test'), JSON.stringify(entry));
    const pttl = await raw.pttl('alova:test');
    assert.ok(pttl > 1000 && pttl <= 2000, `pttl ${pttl}`);
    assert.deepEqual(await a.get('test'), entry);

    const c = make({ keyPrefix: 'custom:' });
    await c.set('test', [1, Date.now() + 1000]);
    assert.ok((await raw.pttl('custom:test')) > 0);
  });

  it('stores entries without a timestamp, index objects and $$hsrs with no expiry', async () => {
    const a = make();
    await a.set('forever', [{ x: 1 }]);
    await a.set('hss.x', { k: 0 });
    await a.set('tagged-infinity', [{ x: 1 }, 'tag']);
    for (const k of ['forever', 'hss.x', 'tagged-infinity']) assert.equal(await raw.pttl(`alova:${k}`), -1);
  });

  it('a write whose expiry has passed leaves nothing under the key (as the other stores)', async () => {
    const a = make();
    await a.set('past', [1]);
    await a.set('past', [2, Date.now() - 1]);
    assert.equal(await a.get('past'), undefined);
    assert.equal(await raw.exists('alova:past'), 0);
    await a.set('never', [2, Date.now()]);
    assert.equal(await raw.exists('alova:never'), 0);
  });

  it('removes the prefixed key', async () => {
    const a = make();
    await a.set('rm', [1]);
    await a.remove('rm');
    assert.equal(await raw.exists('alova:rm'), 0);
  });

  it('clear() deletes only cache entries under its prefix, across many SCAN pages', async () => {
    const a = make({ keyPrefix: 'clr*[x]:' });
    const pipe = raw.pipeline();
    for (let i = 0; i < 2500; i++) pipe.set(`clr*[x]:$a.${i}`, '1');
    pipe.set('clr-other', '1');
    pipe.set('clrX[x]:1', '1'); // matches the prefix only if glob characters were not escaped
    await pipe.exec();
    assert.equal(await a.clear(), 2500);
    assert.equal((await raw.keys('clr\\*\\[x\\]:*')).length, 0);
    assert.equal(await raw.get('clr-other'), '1');
    assert.equal(await raw.get('clrX[x]:1'), '1');
  });

  it('accepts url, host/port, db, password and username options', async () => {
    const byUrl = make({ port: undefined, url: `${redis.url}/2` });
    await byUrl.set('db', [2]);
    assert.equal(await raw.get('alova:db'), null);
    const raw2 = new Redis(redis.port, '127.0.0.1', { db: 2 });
    assert.equal(await raw2.get('alova:db'), '[2]');
    raw2.disconnect();
    const byDb = make({ host: '127.0.0.1', db: 2 });
    assert.deepEqual(await byDb.get('db'), [2]);

    await raw.call('ACL', 'SETUSER', 'tester', 'on', '>s3cr@t', '~*', '+@all');
    const auth = make({ username: 'tester', password: 's3cr@t' });
    await auth.set('auth', [1]);
    assert.deepEqual(await auth.get('auth'), [1]);
    const wrong = make({ username: 'tester', password: 'nope', failOpen: false });
    await assert.rejects(wrong.get('auth'), (e) => e.code === 'ERR_ALOVA_REDIS' && /WRONGPASS|invalid|auth/i.test(e.message));
  });

  it('rejects bad options with a clear error at construction', () => {
    const named = (e) => e.code === 'ERR_ALOVA_INVALID_ARG' && e.name === '[alova/storage:redis]';
    assert.throws(() => new RedisStorageAdapter({ port: 70000 }), named);
    assert.throws(() => new RedisStorageAdapter({ url: 'not a url' }), named);
    assert.throws(() => new RedisStorageAdapter({ client: {} }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
    assert.throws(() => new RedisStorageAdapter({ nodes: [] }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
  });

  it('uses a client passed in: a native RedisClient, an ioredis client, a node-redis client', async () => {
    const shared = make();
    const viaNative = make({ client: shared.client, keyPrefix: 'n:' });
    assert.equal(viaNative.client, shared.client);
    await viaNative.set('x', [1, Date.now() + 2000]);
    assert.ok((await raw.pttl('n:x')) > 0);

    const io = new Redis(redis.port, '127.0.0.1');
    const viaIo = make({ client: io, keyPrefix: 'alova-redis:' });
    assert.equal(viaIo.client, io);
    await viaIo.set('test', [{ a: 1 }, Date.now() + 2000]);
    const pttl = await raw.pttl('alova-redis:test');
    assert.ok(pttl > 1000 && pttl <= 2000);
    assert.deepEqual(await viaIo.get('test'), [{ a: 1 }, JSON.parse(await raw.get('alova-redis:test'))[1]]);
    assert.equal(await viaIo.eval("return {1, 'two', false}", [], []).then(JSON.stringify), '[1,"two",null]');
    await viaIo.set('$a.c1', [1]);
    assert.equal(await viaIo.clear(), 1);
    io.disconnect();

    const nr = createClient({ url: redis.url });
    await nr.connect();
    const viaNr = make({ client: nr, keyPrefix: 'nr:' });
    await viaNr.set('y', [2, Date.now() + 2000]);
    assert.ok((await raw.pttl('nr:y')) > 0);
    assert.deepEqual((await viaNr.get('y'))[0], 2);
    await viaNr.remove('y');
    assert.equal(await viaNr.get('y'), undefined);
    await nr.quit();
  });

  it('eval runs scripts atomically and converts replies', async () => {
    const a = make();
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('INCRBY', KEYS[2], ARGV[2]), redis.call('GET', KEYS[1]), redis.call('GET', 'absent-key'), {1, 'x'}}";
    assert.deepEqual(await a.eval(script, ['ev:a', 'ev:n'], ['hello', 5]), [5, 'hello', null, [1, 'x']]);
    assert.deepEqual(await a.eval(script, ['ev:a', 'ev:n'], ['hello', 5]), [10, 'hello', null, [1, 'x']]);
    assert.equal(await a.eval("return redis.status_reply('FINE')", [], []), 'FINE');
    await raw.script('FLUSH'); // EVALSHA then finds nothing and falls back to EVAL
    assert.deepEqual((await a.eval(script, ['ev:a', 'ev:n'], ['x', 1]))[0], 11);
    await assert.rejects(a.eval('return redis.call("NOPE")', [], []), (e) => e.code === 'ERR_ALOVA_REDIS' && e.name === '[alova/storage:redis]');
    assert.equal(a.health.state, 'closed', 'a script error is a reply, not an outage');
  });

  it('concurrent reads of one key make one Redis round trip, and see earlier writes', async () => {
    const a = make();
    await a.set('hot', [{ v: 1 }]);
    await raw.config('RESETSTAT');
    const values = await Promise.all(Array.from({ length: 50 }, () => a.get('hot')));
    for (const v of values) assert.deepEqual(v, [{ v: 1 }]);
    assert.notEqual(values[0], values[1], 'each reader gets its own object');
    const stats = await raw.info('commandstats');
    assert.match(stats, /cmdstat_get:calls=1,/);

    const p1 = a.get('hot');
    const w = a.set('hot', [{ v: 2 }]);
    const p2 = a.get('hot');
    assert.deepEqual([await p1, await p2], [[{ v: 1 }], [{ v: 2 }]]);
    await w;
  });

  it('a read reports on alova:redis:command, counts hits and misses, and rejects a stored value that is not JSON', async () => {
    const { channel } = require('node:diagnostics_channel');
    const messages = [];
    const listen = (m) => messages.push(m);
    channel('alova:redis:command').subscribe(listen);
    try {
      const a = make({ keyPrefix: 'rd:' });
      await a.set('hit', { n: 1 });
      const [one, two] = await Promise.all([a.get('hit'), a.get('hit')]);
      assert.deepEqual(one, { n: 1 });
      assert.notEqual(one, two, 'each reader gets its own copy');
      assert.equal(await a.get('none'), undefined);
      await raw.set('rd:bad', '{not json');
      await assert.rejects(a.get('bad'), SyntaxError);
      const { hits, misses, errors } = a.stats();
      assert.deepEqual({ hits, misses, errors }, { hits: 3, misses: 1, errors: 0 });
      const reads = messages.filter((m) => m.command === 'get');
      assert.deepEqual(reads.map((m) => m.keys), [['rd:hit'], ['rd:hit'], ['rd:none'], ['rd:bad']]);
      assert.ok(reads.every((m) => m.duration >= 0 && m.error === undefined));
    } finally {
      channel('alova:redis:command').unsubscribe(listen);
    }
  });

  it('keeps the process alive while a reply is due, and not after (no close() needed)', async () => {
    const script = `const A = require('@alova/native/storage-redis');
      const a = new A({ port: ${redis.port} });
      a.locker.lock('alive-lock').then(() => a.set('alive', [1])).then(() => a.get('alive')).then((v) => console.log(JSON.stringify(v)));`;
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(timer);
    assert.equal(signal, null, 'the process exited by itself');
    assert.equal(code, 0);
    assert.equal(out.trim(), '[1]');
    await raw.del('alive-lock');
  });

  it('works as alova’s l2Cache in restore mode (alova 3.5.5)', async () => {
    const { createAlova } = require('alova');
    const adapterFetch = require('alova/fetch');
    let hits = 0;
    const origin = await startHttpServer((req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, n: hits }));
    });
    try {
      const l2Cache = make({ keyPrefix: 'app:' });
      const mk = () =>
        createAlova({ id: 'svc', baseURL: origin.url, requestAdapter: adapterFetch(), l2Cache, cacheLogger: false, responded: (r) => r.json() });
      const first = await mk().Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } });
      assert.deepEqual(first, { path: '/data', n: 1 });
      const keys = await raw.keys('app:*');
      assert.equal(keys.length, 1);
      assert.ok((await raw.pttl(keys[0])) > 50_000);
      // A fresh instance (empty L1) with the same id restores from Redis.
      const again = await mk().Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } });
      assert.deepEqual(again, first);
      assert.equal(hits, 1);
    } finally {
      await origin.close();
    }
  });
});
