// metrics(): every layer's counters under a real workload (a loopback origin, a real
// redis-server as L2 and rate-limit store, killed mid-test), in prom-client's JSON shape and
// in Prometheus' text format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startHttpServer, startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const { createAlova, metrics, metricsText } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const { createRateLimiter } = require('@alova/native/server');

/** The value of `name` for the source whose instance label is `instance`. */
function valueOf(name, instance, extra = {}) {
  const family = metrics().find((f) => f.name === name);
  assert.ok(family, `no family ${name}`);
  const v = family.values.find((x) => x.labels.instance === instance && Object.entries(extra).every(([k, e]) => x.labels[k] === e));
  return v && v.value;
}

/** The instance label metrics() gives `source` (found through its own stats()). */
function instanceOf(layer, name, value) {
  const family = metrics().find((f) => f.name === name);
  const matches = family.values.filter((v) => v.value === value);
  assert.equal(matches.length, 1, `one ${layer} source with ${name} = ${value}`);
  return matches[0].labels.instance;
}

test('HTTP, L1, L2 and limiter counters follow a real workload, Redis outage included', async () => {
  const redis = await startRedis();
  const origin = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, pad: 'x'.repeat(1000) }));
  });
  const l2 = new RedisStorageAdapter({ port: redis.port, commandTimeout: 300, circuitBreaker: { threshold: 2, cooldown: 60_000 } });
  try {
    const requestAdapter = adapterFetch();
    const make = () =>
      createAlova({ id: 'metrics', baseURL: origin.url, requestAdapter, l2Cache: l2, cacheLogger: false, responded: (r) => r.json() });
    const first = make();
    const restore = { cacheFor: { mode: 'restore', expire: 60_000 } };
    for (let i = 0; i < 5; i++) await first.Get(`/item/${i}`, restore);
    for (let i = 0; i < 5; i++) await first.Get(`/item/${i}`, restore); // L1 hits
    const second = make(); // its own L1, the same L2
    for (let i = 0; i < 5; i++) await second.Get(`/item/${i}`, restore);

    const limited = createRateLimiter({ points: 3, duration: 60_000, storage: l2 });
    const rejected = [];
    for (let i = 0; i < 5; i++) await limited(first.Post('/limited', {}), { key: 'user' }).send().catch((e) => rejected.push(e));
    assert.equal(rejected.length, 2);

    const http = requestAdapter.stats();
    assert.equal(http.requests, 8, '5 misses + 3 limited sends');
    const httpId = instanceOf('http', 'alova_http_requests_total', 8);
    assert.equal(valueOf('alova_http_connections_opened_total', httpId), http.connectionsOpened);
    assert.ok(valueOf('alova_http_received_bytes_total', httpId) > 8 * 1000);

    const l2Id = instanceOf('l2', 'alova_l2_hits_total', 5);
    // Misses: the first instance's 5 entries, plus the hit-source index read after each send.
    assert.equal(valueOf('alova_l2_misses_total', l2Id), l2.stats().misses);
    assert.ok(l2.stats().misses >= 5);
    assert.equal(valueOf('alova_l2_errors_total', l2Id), 0);
    assert.equal(valueOf('alova_l2_breaker_open', l2Id), 0);
    const ops = valueOf('alova_l2_operation_duration_seconds', l2Id, { le: '+Inf' });
    assert.equal(ops, l2.stats().latency.count);
    assert.ok(ops >= 20, `5 misses + 5 writes + 5 hits + 5 consumes, got ${ops}`);

    const l1 = first.l1Cache.stats();
    const l1Id = instanceOf('l1', 'alova_l1_hits_total', l1.hits);
    assert.equal(l1.hits, 5);
    assert.equal(valueOf('alova_l1_entries', l1Id), l1.entries);

    const rlId = instanceOf('ratelimit', 'alova_ratelimit_rejected_total', 2);
    assert.equal(valueOf('alova_ratelimit_consumed_total', rlId), 3);
    assert.deepEqual(limited.stats(), { consumed: 3, rejected: 2, errors: 0, insured: 0 });

    await redis.stop();
    // Reads fail open (a miss that goes to the origin); the breaker opens after two failures.
    for (let i = 0; i < 3; i++) await make().Get(`/item/${i}`, restore);
    await assert.rejects(limited(first.Post('/limited', {}), { key: 'user' }).send());
    assert.ok(valueOf('alova_l2_errors_total', l2Id) >= 3);
    assert.equal(valueOf('alova_l2_breaker_open', l2Id), 1);
    assert.equal(l2.stats().breaker, 'open');
    assert.equal(limited.stats().errors, 1);

    const text = metricsText();
    assert.match(text, /^# TYPE alova_l2_operation_duration_seconds histogram$/m);
    assert.match(text, new RegExp(`^alova_l2_breaker_open\\{instance="${l2Id}"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^alova_l2_operation_duration_seconds_bucket\\{instance="${l2Id}",le="\\+Inf"\\} \\d+$`, 'm'));
    // Every sample line is `name{labels} number`.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      assert.match(line, /^[a-z][a-z0-9_]*\{[^}]*\} -?[0-9.e+-]+$/, line);
    }
  } finally {
    l2.close();
    await origin.close();
    await redis.stop();
  }
});

test('an insured limiter counts the calls its insurance answered', async () => {
  const redis = await startRedis();
  const store = new RedisStorageAdapter({ port: redis.port, commandTimeout: 200, circuitBreaker: false });
  const origin = await startHttpServer((req, res) => res.end('{}'));
  try {
    const alova = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false });
    const limited = createRateLimiter({ points: 5, duration: 60_000, storage: store, insuranceLimiter: { points: 1, duration: 60_000 } });
    await limited(alova.Get('/a'), { key: 'user' }).send();
    await redis.stop();
    await limited(alova.Get('/a'), { key: 'user' }).send();
    await assert.rejects(limited(alova.Get('/a'), { key: 'user' }).send(), (res) => res.remainingPoints === 0);
    assert.deepEqual(limited.stats(), { consumed: 2, rejected: 1, errors: 2, insured: 2 });
  } finally {
    store.close();
    await origin.close();
    await redis.stop();
  }
});

test('alova:redis:command: one message per L2 operation, with its keys, duration and error', async () => {
  const dc = await import('node:diagnostics_channel');
  const redis = await startRedis();
  const l2 = new RedisStorageAdapter({ port: redis.port, keyPrefix: 'p:', commandTimeout: 200, circuitBreaker: { threshold: 1, cooldown: 60_000 } });
  const seen = [];
  const sub = ({ command, keys, duration, error }) => {
    assert.ok(duration >= 0);
    seen.push([command, keys.join(','), error ? error.code : 'ok']);
  };
  dc.subscribe('alova:redis:command', sub);
  try {
    await l2.set('a', [1, null]);
    assert.deepEqual(await l2.get('a'), [1, null]);
    await l2.eval("return redis.call('EXISTS', KEYS[1])", ['p:a']);
    await l2.remove('a');
    await redis.stop();
    assert.equal(await l2.get('a'), undefined, 'a failed read is a miss');
    await assert.rejects(l2.set('b', 1));
    assert.deepEqual(seen.slice(0, 4), [
      ['set', 'p:a', 'ok'],
      ['get', 'p:a', 'ok'],
      ['eval', 'p:a', 'ok'],
      ['del', 'p:a', 'ok'],
    ]);
    assert.deepEqual(seen.slice(4).map(([c, k, e]) => [c, k, e !== 'ok']), [
      ['get', 'p:a', true],
      ['set', 'p:b', true], // refused by the open breaker
    ]);
  } finally {
    dc.unsubscribe('alova:redis:command', sub);
    l2.close();
    await redis.stop();
  }
});

test('sources that are collected leave the registry, read or not', async () => {
  const { execFileSync } = await import('node:child_process');
  const script = `
    const { L1Cache } = require('@alova/native');
    const registry = require(${JSON.stringify(require.resolve('../../lib/metrics/registry.js'))});
    (async () => {
      for (let i = 0; i < 20000; i++) new L1Cache();
      for (let k = 0; k < 5; k++) { global.gc(); await new Promise((r) => setTimeout(r, 50)); }
      console.log(registry.size());
    })();`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
  assert.ok(Number(out) < 100, `entries left: ${out}`);
});
