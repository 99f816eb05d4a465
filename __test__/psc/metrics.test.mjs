// The process-shared cache's counters in metrics() and its alova:psc:sync messages, from real
// cluster workers around a hub run by this process (the cluster primary).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNodePSCSynchronizer } from '@alova/native/psc';
import { forkWorker } from '../fixtures/psc/driver.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-metrics-'));
process.env.ALOVA_PSC_DIR = dir;
const workers = [];
after(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `{ family name: value }` of one worker's default-scope adapter (the first one it made). */
async function pscMetrics(w) {
  const families = await w.call('metrics');
  return Object.fromEntries(families.map((f) => [f.name, f.values[0]?.value]));
}

test('sets, removes, received changes, reloads and entries per worker; one sync message per batch', async () => {
  const id = `metrics-${process.pid}`;
  const stop = await createNodePSCSynchronizer(id);
  try {
    const [a, b] = await Promise.all([forkWorker({ PSC_ID: id }), forkWorker({ PSC_ID: id })]);
    workers.push(a, b);
    await Promise.all([a.call('ready'), b.call('ready')]);
    await b.call('watchSync');
    for (let i = 0; i < 5; i++) await a.call('set', { key: `k${i}`, value: [i, null] });
    await a.call('remove', { key: 'k0' });
    await b.call('waitFor', { key: 'k4', value: [4, null] });
    await b.call('waitFor', { key: 'k0', value: undefined });

    const ma = await pscMetrics(a);
    assert.equal(ma.alova_psc_sets_total, 5);
    assert.equal(ma.alova_psc_removes_total, 1);
    assert.equal(ma.alova_psc_entries, 4);
    const mb = await pscMetrics(b);
    assert.equal(mb.alova_psc_sets_total, 0);
    assert.equal(mb.alova_psc_entries, 4);
    // 4 keys `kN` and values `[N,null]`.
    assert.equal(mb.alova_psc_bytes, 4 * ('k1'.length + '[1,null]'.length));
    assert.ok(mb.alova_psc_received_total >= 4, `b applied a's changes: ${mb.alova_psc_received_total}`);
    const messages = await b.call('syncMessages');
    const keys = new Set(messages.flatMap((m) => [...m.set, ...m.removed]));
    for (const k of ['k1', 'k2', 'k3', 'k4']) assert.ok(keys.has(k), `a sync message names ${k}`);
    assert.equal(messages.reduce((n, m) => n + m.set.length + m.removed.length, 0), mb.alova_psc_received_total);

    // A late worker starts from the snapshot: one reload.
    const c = await forkWorker({ PSC_ID: id });
    workers.push(c);
    await c.call('ready');
    await c.call('waitFor', { key: 'k2', value: [2, null] });
    const mc = await pscMetrics(c);
    assert.equal(mc.alova_psc_entries, 4);
    assert.ok(mc.alova_psc_reloads_total >= 1);
  } finally {
    await stop();
  }
});
