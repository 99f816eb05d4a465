// Cross-host sync through one redis-server: each child process stands for a host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/servers.mjs';
import { forkChild } from '../fixtures/psc/driver.mjs';
import { RedisSyncAdapter } from '@alova/native/psc';

const redis = await startRedis();
const hosts = [];
let n = 0;
async function host(channel) {
  const h = await forkChild({ PSC_TRANSPORT: 'redis', PSC_REDIS_URL: redis.url, PSC_CHANNEL: channel });
  hosts.push(h);
  await h.call('ready');
  return h;
}
after(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  await redis.stop();
});

async function converged(hs, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const texts = (await Promise.all(hs.map((h) => h.call('dump')))).map((d) => JSON.stringify(d));
    if (texts.every((t) => t === texts[0])) return JSON.parse(texts[0]);
    if (Date.now() > end) assert.fail(`copies differ:\n${texts.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('set, remove and clear reach every host; scopes and channels stay apart', async () => {
  const ch = `ch-${n++}`;
  const [a, b] = await Promise.all([host(ch), host(ch)]);
  const stranger = await host(`other-${n++}`);
  // Pub/sub keeps no state: a host sees the writes made after its adapter exists.
  await Promise.all([a, b].map((h) => h.call('attach', { scope: 's' })));
  await a.call('set', { key: 'k', value: { v: 1 } });
  await a.call('set', { key: 'k', value: 'scoped', scope: 's' });
  await b.call('waitFor', { key: 'k', value: { v: 1 } });
  await b.call('waitFor', { key: 'k', value: 'scoped', scope: 's' });
  await b.call('remove', { key: 'k' });
  await a.call('waitFor', { key: 'k', value: undefined });
  assert.equal(await a.call('get', { key: 'k', scope: 's' }), 'scoped');
  await a.call('clear', { scope: 's' });
  await b.call('waitFor', { key: 'k', value: undefined, scope: 's' });
  assert.deepEqual(await stranger.call('dump'), {});
});

test('concurrent bursts from every host converge to one state', async () => {
  const ch = `ch-${n++}`;
  const hs = await Promise.all([host(ch), host(ch), host(ch)]);
  await Promise.all(hs.map((h, i) => h.call('burst', { keys: 10, rounds: 40, tag: `h${i}` })));
  const state = await converged(hs);
  assert.equal(Object.keys(state).length, 10);
});

test('after Redis restarts, hosts drop what they may have missed and sync again', async () => {
  const ch = `ch-${n++}`;
  const [a, b] = await Promise.all([host(ch), host(ch)]);
  await a.call('set', { key: 'before', value: 1 });
  await b.call('waitFor', { key: 'before', value: 1 });
  await redis.stop();
  assert.equal(await b.call('get', { key: 'before' }), 1, 'served locally while Redis is down');
  await redis.restart();
  await b.call('waitFor', { key: 'before', value: undefined }); // resubscribed: emptied
  const end = Date.now() + 10000;
  // Writes flow again once both hosts are back.
  for (let i = 0; ; i++) {
    await a.call('set', { key: 'after', value: i });
    try {
      await b.call('waitFor', { key: 'after', value: i, timeout: 300 });
      break;
    } catch (err) {
      if (Date.now() > end) throw err;
    }
  }
});

test('bad options are refused at the call', () => {
  assert.throws(() => RedisSyncAdapter({}), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/psc]' });
  assert.throws(() => RedisSyncAdapter({ url: 'not a url' }), { code: 'ERR_ALOVA_INVALID_ARG' });
  assert.throws(() => RedisSyncAdapter({ url: redis.url, maxEntries: -1 }), { code: 'ERR_ALOVA_INVALID_ARG' });
});
