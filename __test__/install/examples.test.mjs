// The runnable examples of the opt-in extensions run and show what their README sections say.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = async (name) => {
  const file = fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 });
  return stdout;
};

it('stale-if-error: the origin goes down and the expired value is served, reported', async () => {
  const out = await run('stale-if-error');
  assert.match(out, /^fresh: \{ price: 100 \}$/m);
  assert.match(out, /^stale L1 entry for .*\/price/m);
  assert.match(out, /^origin down, served: \{ price: 100 \} fromCache: true$/m);
});

it('rate-limit-insurance: Redis is absent, the memory limiter answers with headers', async () => {
  const out = await run('rate-limit-insurance');
  const statuses = out.match(/^\d{3}/gm);
  assert.deepEqual(statuses, ['200', '200', '429']);
  assert.match(out, /'retry-after': '10'/);
});

it('logger: JSON lines for a failed Redis read, a hit and a stale serve', async () => {
  const lines = (await run('logger')).trim().split('\n').map((l) => JSON.parse(l));
  const seen = lines.map((l) => `${l.level} ${l.msg}`);
  assert.ok(seen.includes('warn alova/storage:redis: read failed, treated as a cache miss'));
  assert.ok(seen.includes('debug alova: cache hit'));
  assert.equal(seen.at(-1), 'warn alova: served a stale cache entry after a failed request');
});

it('metrics: a /metrics route serving the counters of a real workload', async () => {
  const lines = (await run('metrics')).trim().split('\n');
  const value = (name) => Number(lines.find((l) => l.startsWith(`${name}{`)).split(' ').pop());
  assert.equal(value('alova_http_requests_total'), 3, 'one GET, two POSTs passed, one refused');
  assert.equal(value('alova_l1_hits_total'), 2);
  assert.equal(value('alova_ratelimit_consumed_total'), 2);
  assert.equal(value('alova_ratelimit_rejected_total'), 1);
});

it('tracing: one span for the sent request, its traceparent at the server, cache events', async () => {
  const out = await run('tracing');
  const sent = out.match(/^server got GET \/user\/1 traceparent: 00-([0-9a-f]{32})-[0-9a-f]{16}-01$/m);
  assert.ok(sent, out);
  const spans = out.match(/^span GET http:\/\/127\.0\.0\.1:\d+\/user\/1 status 200 trace ([0-9a-f]{32})$/gm);
  assert.equal(spans.length, 1, 'the hit sends nothing, so one span');
  assert.ok(spans[0].endsWith(sent[1]), 'the span is the one the server saw');
  const cache = out.match(/^cache \w+ L1/gm);
  assert.deepEqual(cache, ['cache miss L1', 'cache set L1', 'cache hit L1']);
});
