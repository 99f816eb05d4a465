// Delays longer than Node's timers hold (2^31−1 ms, about 24.8 days): an idle cache with a
// far expiry does not spin, and a Retry-After of weeks is waited for (or refused by
// `maxDelay`), not retried at once. Plus the helper itself, on real timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHttpServer } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const { retry } = require('@alova/native/server');
const { after, sleep, MAX_TIMER_MS } = require('../../lib/timers.js');
const idleChild = fileURLToPath(new URL('../fixtures/timers/idle-child.cjs', import.meta.url));

async function idle(mode) {
  const { stdout } = await promisify(execFile)(process.execPath, [idleChild, mode, '1000']);
  return JSON.parse(stdout.trim().split('\n').pop());
}

for (const mode of ['l1', 'alova']) {
  test(`an expiry 30 days ahead leaves the ${mode === 'l1' ? 'L1 cache' : 'cache of a GET'} idle: no re-armed sweep, no overflow warning`, async () => {
    const r = await idle(mode);
    assert.deepEqual(r.warnings, []);
    assert.ok(r.sweeps <= 1, `${r.sweeps} sweeps in one idle second`);
    assert.ok(r.cpuMs < 150, `${r.cpuMs} ms of CPU in one idle second`);
  });
}

test('retry({ retryAfter: true }) waits for a Retry-After of 3,000,000 s instead of retrying at once', async (t) => {
  let hits = 0;
  const srv = await startHttpServer((req, res) => {
    hits++;
    res.writeHead(503, { 'retry-after': '3000000' }).end('busy');
  });
  t.after(() => srv.close());
  const alova = createAlova({
    baseURL: srv.url,
    requestAdapter: adapterFetch(),
    responded: (r) => {
      if (r.status >= 400) throw Object.assign(new Error(`status ${r.status}`), { response: r });
      return r.json();
    },
  });
  const warnings = [];
  const onWarning = (w) => warnings.push(w.name);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));

  const waiting = retry(alova.Get('/busy'), { retry: 3, retryAfter: true, backoff: { delay: 10 } });
  const sent = waiting.send();
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(hits, 1, 'retried before the Retry-After delay');
  waiting.abort();
  await assert.rejects(sent);

  // With `maxDelay` below what the server asks, the retry ends at once with the error.
  hits = 0;
  await assert.rejects(retry(alova.Get('/busy'), { retry: 3, retryAfter: true, maxDelay: 5000 }).send(), /status 503/);
  assert.equal(hits, 1);
  assert.deepEqual(warnings, []);
});

test('the timer helper: capped periods for long delays, 0 for NaN and negative ones', async () => {
  assert.equal(MAX_TIMER_MS, 2 ** 31 - 1);
  const order = [];
  const long = after(MAX_TIMER_MS * 3, () => order.push('long'));
  after(NaN, () => order.push('nan'));
  after(-5, () => order.push('negative'));
  const never = after(Infinity, () => order.push('never'));
  await sleep(20);
  assert.deepEqual(order.sort(), ['nan', 'negative']);
  assert.equal(long.active, true);
  long.clear();
  never.clear();
  assert.equal(long.active, false);
  const ac = new AbortController();
  const slept = sleep(MAX_TIMER_MS + 1, { signal: ac.signal });
  ac.abort(new Error('stop'));
  await assert.rejects(slept, /stop/);
});
