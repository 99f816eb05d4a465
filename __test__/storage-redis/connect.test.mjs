// How the Redis adapter reaches Redis, each against a real server started here: TLS (a
// `rediss://` url or `tls: {...}`, with ca, servername and rejectUnauthorized), a unix socket
// `path`, and Sentinel (the master found through the sentinels, with a sentinel password, a
// replica with `role: 'slave'`, and a failover followed). Options that are not supported are
// refused by name, so nothing is ever written to a server other than the one configured.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { startTlsRedis, startUnixRedis, startSentinelSet, fixture, clientCertificate } from '../fixtures/storage/redis-variants.mjs';
import { freePort } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');

const ca = fs.readFileSync(fixture('tls-ca.pem'));

/** An adapter that is closed when the test ends. */
function adapterFor(t, options) {
  const a = new RedisStorageAdapter({ commandTimeout: 2000, connectTimeout: 1000, failOpen: false, ...options });
  t.after(() => a.close());
  return a;
}

async function roundTrip(a) {
  const entry = [{ ok: true }, Date.now() + 10_000];
  await a.set('k', entry);
  assert.deepEqual(await a.get('k'), entry);
  assert.equal(await a.client.call('GET', 'alova:k'), JSON.stringify(entry));
}

describe('storage-redis over TLS', () => {
  let server;
  before(async () => {
    server = await startTlsRedis();
  });
  after(() => server.stop());

  it('connects with tls: { ca } and with a rediss:// url', async (t) => {
    await roundTrip(adapterFor(t, { host: '127.0.0.1', port: server.port, tls: { ca } }));
    await roundTrip(adapterFor(t, { url: `rediss://127.0.0.1:${server.port}`, tls: { ca: ca.toString() } }));
  });

  it('checks the certificate: an unknown CA fails, rejectUnauthorized: false accepts it', async (t) => {
    const untrusted = adapterFor(t, { port: server.port, tls: {} });
    await assert.rejects(untrusted.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE');
    await roundTrip(adapterFor(t, { port: server.port, tls: { rejectUnauthorized: false } }));
  });

  it('checks against servername when given (localhost is in the certificate, other names are not)', async (t) => {
    await roundTrip(adapterFor(t, { host: '127.0.0.1', port: server.port, tls: { ca, servername: 'localhost' } }));
    const wrong = adapterFor(t, { host: '127.0.0.1', port: server.port, tls: { ca, servername: 'redis.example.com' } });
    await assert.rejects(wrong.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE');
  });

  it('shows a client certificate (cert, key) to a server that asks for one', async (t) => {
    const mtls = await startTlsRedis({ clientAuth: true });
    t.after(() => mtls.stop());
    const withoutCert = adapterFor(t, { port: mtls.port, tls: { ca } });
    await assert.rejects(withoutCert.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS_UNAVAILABLE');
    const cert = fs.readFileSync(clientCertificate('tls-client.pem'));
    const key = fs.readFileSync(clientCertificate('tls-client.key'), 'utf8');
    await roundTrip(adapterFor(t, { port: mtls.port, tls: { ca, cert, key } }));
  });

  it('a plain connection to the TLS port fails instead of talking plain text', async (t) => {
    const plain = adapterFor(t, { port: server.port, commandTimeout: 500 });
    await assert.rejects(plain.get('k'));
  });

  it('refuses tls options it does not support, by name', () => {
    assert.throws(() => new RedisStorageAdapter({ tls: { ca, minVersion: 'TLSv1.3' } }), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && /tls\.minVersion/.test(e.message));
    assert.throws(() => new RedisStorageAdapter({ tls: { cert: 'x' } }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG' && /cert/.test(e.message));
  });
});

describe('storage-redis over a unix socket', () => {
  let server;
  before(async () => {
    server = await startUnixRedis();
  });
  after(() => server.stop());

  it('connects to `path` and keeps db, and refuses tls with it', async (t) => {
    await roundTrip(adapterFor(t, { path: server.path }));
    const db3 = adapterFor(t, { path: server.path, db: 3 });
    await db3.set('in3', [3]);
    const raw = new Redis({ path: server.path, db: 3 });
    try {
      assert.equal(await raw.get('alova:in3'), '[3]');
    } finally {
      raw.disconnect();
    }
    assert.throws(() => new RedisStorageAdapter({ path: server.path, tls: {} }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
  });
});

describe('storage-redis through Sentinel', () => {
  let set;
  before(async () => {
    set = await startSentinelSet({ sentinelPassword: 'sentinel-secret' });
  });
  after(() => set.stop());

  const sentinelOptions = () => ({
    sentinels: [{ host: '127.0.0.1', port: set.sentinelPort }],
    name: set.name,
    sentinelPassword: 'sentinel-secret',
  });

  it('writes to the master the sentinel names, never to a default localhost:6379', async (t) => {
    const a = adapterFor(t, sentinelOptions());
    await roundTrip(a);
    const master = new Redis(set.masterPort, '127.0.0.1');
    try {
      assert.ok(await master.get('alova:k'));
    } finally {
      master.disconnect();
    }
  });

  it('a wrong sentinel password or master name fails with a coded error', async (t) => {
    const badPass = adapterFor(t, { ...sentinelOptions(), sentinelPassword: 'nope' });
    await assert.rejects(badPass.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS');
    const badName = adapterFor(t, { ...sentinelOptions(), name: 'nosuchmaster' });
    await assert.rejects(badName.get('k'), (e) => e.code === 'ERR_ALOVA_REDIS');
  });

  it("role: 'slave' reads from the replica", async (t) => {
    const writer = adapterFor(t, sentinelOptions());
    await writer.set('r', [1]);
    const reader = adapterFor(t, { ...sentinelOptions(), role: 'slave' });
    let got;
    for (let i = 0; i < 100 && got === undefined; i++) {
      got = await reader.get('r');
      if (got === undefined) await sleep(50);
    }
    assert.deepEqual(got, [1]);
    assert.equal(await reader.client.call('ROLE').then((r) => r[0]), 'slave');
  });

  it('follows a failover after the master crashes: writes reach the promoted replica', async (t) => {
    const a = adapterFor(t, { ...sentinelOptions(), commandTimeout: 1000 });
    await a.set('before', [1]);
    const sentinel = new Redis({ port: set.sentinelPort, host: '127.0.0.1', password: 'sentinel-secret' });
    try {
      // The sentinel must know the replica before it can promote it.
      for (let i = 0; i < 100; i++) {
        const replicas = await sentinel.call('SENTINEL', 'REPLICAS', set.name);
        if (replicas.length && !String(replicas[0]).includes('disconnected')) break;
        await sleep(100);
      }
      // The master crashes; the sentinel promotes the replica.
      await set.stopMaster();
      let wrote = false;
      for (let i = 0; i < 100 && !wrote; i++) {
        try {
          await a.set('after', [2]);
          wrote = true;
        } catch (err) {
          // until the sentinel has promoted the replica, and the adapter has asked it again
          assert.ok(['ERR_ALOVA_REDIS', 'ERR_ALOVA_REDIS_UNAVAILABLE', 'ERR_ALOVA_TIMEOUT'].includes(err.code), err.message);
          await sleep(100);
        }
      }
      assert.ok(wrote, 'a write succeeded after the failover');
      const promoted = new Redis(set.replicaPort, '127.0.0.1');
      try {
        assert.equal(await promoted.get('alova:after'), '[2]');
        assert.equal((await promoted.call('ROLE'))[0], 'master');
      } finally {
        promoted.disconnect();
      }
    } finally {
      sentinel.disconnect();
    }
  });

  it('refuses what it does not support, by name, before connecting anywhere', async () => {
    const refused = (options, name) =>
      assert.throws(() => new RedisStorageAdapter({ ...sentinelOptions(), ...options }), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && e.message.includes(name));
    refused({ sentinelTLS: {} }, 'sentinelTLS');
    refused({ enableTLSForSentinelMode: true }, 'enableTLSForSentinelMode');
    refused({ natMap: {} }, 'natMap');
    refused({ preferredSlaves: [] }, 'preferredSlaves');
    refused({ tls: {} }, 'tls');
    assert.throws(() => new RedisStorageAdapter({ sentinels: [] }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
    assert.throws(() => new RedisStorageAdapter({ sentinels: [{ port: set.sentinelPort }] }), (e) => e.code === 'ERR_ALOVA_INVALID_ARG' && /name/.test(e.message));
  });
});

describe('storage-redis options', () => {
  it('refuses unknown options by name and accepts ioredis tuning options with no effect', async () => {
    assert.throws(() => new RedisStorageAdapter({ family: 6 }), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && /`family`/.test(e.message));
    assert.throws(() => new RedisStorageAdapter({ readOnly: true }), (e) => e.code === 'ERR_ALOVA_UNSUPPORTED' && /`readOnly`/.test(e.message));
    const a = new RedisStorageAdapter({ port: await freePort(), lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: true });
    a.close();
  });
});
