// RedisStorageAdapter on a real Redis Cluster: three `redis-server --cluster-enabled yes` on
// loopback joined with `redis-cli --cluster create`. Keys spread over every node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { storageConformance } from '../conformance/storage.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');
const run = promisify(execFile);

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Three free ports whose cluster bus ports (+10000) are free too. */
async function clusterPorts() {
  const ports = [];
  while (ports.length < 3) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if (!ports.includes(p) && (await portFree(p)) && (await portFree(p + 10000))) ports.push(p);
  }
  return ports;
}

async function startCluster() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-cluster-'));
  const ports = await clusterPorts();
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      for (let i = 0; !(await run('redis-cli', ['-p', String(port), 'PING']).then((r) => r.stdout.includes('PONG'), () => false)); i++) {
        if (i > 100) throw new Error(`node ${port} did not start`);
        await sleep(50);
      }
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
    for (const port of ports) {
      for (let i = 0; !(await run('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO']).then((r) => r.stdout.includes('cluster_state:ok'))); i++) {
        if (i > 200) throw new Error('cluster did not become ready');
        await sleep(50);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, stop };
}

describe('storage-redis on Redis Cluster', () => {
  let cluster;
  let raw;
  const adapters = [];
  const make = (config = {}) => {
    const a = new RedisStorageAdapter({ nodes: [{ host: '127.0.0.1', port: cluster.ports[0] }], ...config });
    adapters.push(a);
    return a;
  };

  before(async () => {
    cluster = await startCluster();
    raw = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.ports[1] }]);
  });
  after(async () => {
    for (const a of adapters) a.close();
    raw?.disconnect();
    await cluster?.stop();
  });

  it('sets with PX, gets and removes keys in every slot range', async () => {
    const a = make({ keyPrefix: 'alova-cluster:' });
    assert.equal(a.isCluster, true);
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k, i) => a.set(k, [i, Date.now() + 5000])));
    assert.deepEqual(await Promise.all(keys.map((k) => a.get(k).then((v) => v[0]))), keys.map((_, i) => i));
    const pttl = await raw.pttl('alova-cluster:k1');
    assert.ok(pttl > 3000 && pttl <= 5000);
    const perNode = await Promise.all(raw.nodes('master').map((n) => n.dbsize()));
    assert.ok(perNode.every((n) => n > 0), `keys on every primary: ${perNode}`);
    await a.remove('k1');
    assert.equal(await a.get('k1'), undefined);
  });

  it('clear() sweeps the cache entries of every primary', async () => {
    const a = make({ keyPrefix: 'sweep:' });
    await Promise.all(Array.from({ length: 300 }, (_, i) => a.set(`$a.x${i}`, [i])));
    await raw.set('other', '1');
    assert.equal(await a.clear(), 300);
    for (const n of raw.nodes('master')) assert.deepEqual(await n.keys('sweep:*'), []);
    assert.equal(await raw.get('other'), '1');
  });

  it('eval routes by key; the locker takes resources in different slots all or nothing', async () => {
    const a = make();
    assert.equal(await a.eval("return redis.call('INCR', KEYS[1])", ['ctr'], []), 1);
    const b = make({ redlockOptions: { retryCount: 0 } });
    await b.locker.lock('lock-b');
    await assert.rejects(make({ redlockOptions: { retryCount: 0 } }).locker.lock(['lock-a', 'lock-b', 'lock-c']), (e) => e.code === 'ERR_ALOVA_LOCKED');
    assert.equal(await raw.exists('lock-a'), 0);
    await b.locker.unlock('lock-b');
    await a.locker.lock(['lock-a', 'lock-b', 'lock-c']);
    assert.equal((await Promise.all(['lock-a', 'lock-b', 'lock-c'].map((k) => raw.exists(k)))).join(), '1,1,1');
    await a.locker.unlock(['lock-a', 'lock-b', 'lock-c']);
    assert.equal(await raw.exists('lock-a'), 0);
  });

  it('accepts an ioredis Cluster client', async () => {
    const client = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.ports[2] }]);
    try {
      const a = make({ client, keyPrefix: 'io-cluster:' });
      assert.equal(a.isCluster, true);
      await Promise.all(Array.from({ length: 20 }, (_, i) => a.set(`$a.y${i}`, [i, Date.now() + 5000])));
      assert.deepEqual(await a.get('$a.y3'), [3, JSON.parse(await raw.get('io-cluster:$a.y3'))[1]]);
      assert.equal(await a.clear(), 20);
    } finally {
      client.disconnect();
    }
  });
});

describe('storage conformance on Redis Cluster', () => {
  storageConformance(
    'redis cluster (native client)',
    async () => {
      const c = await startCluster();
      const adapter = new RedisStorageAdapter({ nodes: c.ports.map((port) => ({ host: '127.0.0.1', port })) });
      return {
        adapter,
        close: async () => {
          adapter.close();
          await c.stop();
        },
      };
    },
    { expires: true },
  );
});
