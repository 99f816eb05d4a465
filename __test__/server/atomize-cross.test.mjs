// atomize with the package's real lockers, across processes: RedisStorageAdapter (lease
// renewed while held) and FileStorageAdapter.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomize } from '@alova/native/server';
import RedisStorageAdapter from '@alova/native/storage-redis';
import { startHttpServer, startRedis } from '../helpers/servers.mjs';
import { makeAlova } from '../fixtures/server/alova.mjs';
import { runTogether } from '../fixtures/server/children.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const worker = fileURLToPath(new URL('../fixtures/server/atomize-worker.mjs', import.meta.url));

let redis;
let srv;
let spans = [];
let active = 0;
let maxActive = 0;
test.before(async () => {
  redis = await startRedis();
  srv = await startHttpServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const start = Date.now();
    active++;
    maxActive = Math.max(maxActive, active);
    await sleep(Number(u.searchParams.get('ms') || 0));
    active--;
    spans.push([start, Date.now()]);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pid: u.searchParams.get('pid') }));
  });
});
test.after(async () => {
  await srv.close();
  await redis.stop();
});
test.beforeEach(() => {
  spans = [];
  active = 0;
  maxActive = 0;
});

function assertNoOverlap() {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i][0] >= sorted[i - 1][1], `requests overlapped: ${JSON.stringify(sorted)}`);
}

test('Redis: processes take turns; each lock outlives its 150 ms TTL while a 400 ms request runs', async () => {
  const out = await runTogether(worker, Array.from({ length: 3 }, () => ['redis', String(redis.port), srv.url, '400', '150']));
  assert.deepEqual(
    out.map((o) => o.ok),
    [true, true, true],
    JSON.stringify(out),
  );
  assert.equal(spans.length, 3);
  assert.equal(maxActive, 1);
  assertNoOverlap();
});

test('File: processes take turns on one lock', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-atomize-'));
  try {
    const out = await runTogether(worker, Array.from({ length: 3 }, () => ['file', dir, srv.url, '150', '0']));
    assert.deepEqual(
      out.map((o) => o.ok),
      [true, true, true],
      JSON.stringify(out),
    );
    assert.equal(maxActive, 1);
    assertNoOverlap();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Redis: a slow request keeps the lock past its TTL; it is released after success, failure and abort', async () => {
  const mine = new RedisStorageAdapter({ port: redis.port, host: '127.0.0.1', redlockTTL: 100, redlockOptions: { retryCount: 0 } });
  const other = new RedisStorageAdapter({ port: redis.port, host: '127.0.0.1', redlockTTL: 100, redlockOptions: { retryCount: 0 } });
  try {
    const a = makeAlova(srv.url, { l2Cache: mine });
    const slow = atomize(a.Get('/hold?ms=500'), { channel: 'ttl' }).send();
    await sleep(250); // 2.5 TTLs in: the lease must have been renewed
    await assert.rejects(other.locker.lock('ttl'), 'still held by the slow request');
    await slow;
    await other.locker.lock('ttl'); // released on success
    await other.locker.unlock('ttl');

    // failure: nothing listens on port 1
    const down = makeAlova('http://127.0.0.1:1', { l2Cache: mine });
    await assert.rejects(atomize(down.Get('/x'), { channel: 'ttl' }));
    await other.locker.lock('ttl');
    await other.locker.unlock('ttl');

    // abort during the request
    const hanging = atomize(a.Get('/hold?ms=1500'), { channel: 'ttl' });
    const p = hanging.send();
    await sleep(100);
    await assert.rejects(other.locker.lock('ttl'));
    await Promise.all([hanging.abort(), assert.rejects(p, { name: 'AbortError' })]);
    await other.locker.lock('ttl');
    await other.locker.unlock('ttl');
  } finally {
    mine.close();
    other.close();
  }
});
