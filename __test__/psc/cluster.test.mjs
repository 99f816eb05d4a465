// The native Node transport with real node:cluster workers: this test process is the cluster
// primary and runs the hub; workers hold PSC adapters and are driven over the cluster IPC.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { createNodePSCSynchronizer } from '@alova/native/psc';
import { forkWorker } from '../fixtures/psc/driver.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-cluster-'));
process.env.ALOVA_PSC_DIR = dir;
const { socketPath } = await import('../../lib/psc/node.js').then((m) => m.default ?? m);

let n = 0;
const uniqueId = () => `cluster-${process.pid}-${n++}`;
const workers = [];
async function worker(id, extra = {}) {
  const w = await forkWorker({ PSC_ID: id, ...extra });
  workers.push(w);
  return w;
}
after(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A hub on a fresh id and `n` connected workers. */
async function cluster(n, hubOptions) {
  const id = uniqueId();
  const stop = await createNodePSCSynchronizer(id, hubOptions);
  const ws = await Promise.all(Array.from({ length: n }, () => worker(id)));
  await Promise.all(ws.map((w) => w.call('ready')));
  return { id, stop, ws };
}

/** Every worker's copy of `scope` eventually equals the first one's; returns it. */
async function converged(ws, scope, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const dumps = await Promise.all(ws.map((w) => w.call('dump', { scope })));
    const texts = dumps.map((d) => JSON.stringify(d));
    if (texts.every((t) => t === texts[0])) return dumps[0];
    if (Date.now() > end) assert.fail(`copies differ:\n${texts.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('set, remove and clear reach every worker; reads are local', async () => {
  const { stop, ws: [a, b, c] } = await cluster(3);
  await Promise.all([a, b, c].map((w) => w.call('ready')));
  await a.call('set', { key: 'str', value: 'text' });
  await b.call('set', { key: 'num', value: 42 });
  const obj = [{ deep: { list: [1, 2] } }, Date.now() + 60000];
  await c.call('set', { key: 'obj', value: obj });
  for (const w of [a, b, c]) {
    await w.call('waitFor', { key: 'str', value: 'text' });
    await w.call('waitFor', { key: 'num', value: 42 });
    await w.call('waitFor', { key: 'obj', value: obj });
  }
  await b.call('remove', { key: 'str' });
  for (const w of [a, b, c]) await w.call('waitFor', { key: 'str', value: undefined });
  await c.call('clear');
  assert.deepEqual(await converged([a, b, c]), {});
  stop();
});

test('scopes stay apart in every copy, in clears and in late joiners\' snapshots', async () => {
  const { id, stop, ws: [a, b] } = await cluster(2);
  await a.call('set', { key: 'k', value: 'none' });
  await a.call('set', { key: 'k', value: 'in-x', scope: 'x' });
  await a.call('set', { key: 'k', value: 'in-empty', scope: '' });
  await b.call('waitFor', { key: 'k', value: 'none' });
  await b.call('waitFor', { key: 'k', value: 'in-x', scope: 'x' });
  await b.call('waitFor', { key: 'k', value: 'in-empty', scope: '' });
  await b.call('clear', { scope: 'x' });
  await a.call('waitFor', { key: 'k', value: undefined, scope: 'x' });
  const late = await worker(id);
  await late.call('waitFor', { key: 'k', value: 'none' });
  await late.call('waitFor', { key: 'k', value: 'in-empty', scope: '' });
  assert.deepEqual(await late.call('dump', { scope: 'x' }), {});
  assert.deepEqual(await late.call('dump', { scope: '' }), { k: 'in-empty' });
  assert.deepEqual(await late.call('dump'), { k: 'none' });
  stop();
});

test("keys holding the drain's separators, and the empty key, cross workers with their values", async () => {
  const { stop, ws: [a, b] } = await cluster(2);
  await b.call('set', { key: 'warm', value: 0 });
  await converged([a, b]);
  const entries = { '': 'empty', 'a\u0000b': [1, { n: null }], 'c\u0001d': 'x\u0001y', plain: true };
  for (const [key, value] of Object.entries(entries)) await a.call('set', { key, value });
  const state = await converged([a, b]);
  assert.deepEqual(state, { warm: 0, ...entries });
  stop();
});

test('two adapters of one scope in one worker each get the other\'s writes, even unread for a whole lap of the shared log', async () => {
  const { stop, ws: [a, b] } = await cluster(2);
  await a.call('twin');
  await a.call('set', { key: 'k', value: 'one' });
  // 20 MiB of writes by the same adapter: more than the shared log holds, none read by the twin.
  await a.call('fill', { prefix: 'f', count: 20, size: 1 << 20 });
  await b.call('waitFor', { key: 'f19', value: 'x'.repeat(1 << 20), timeout: 20000 });
  assert.equal(await a.call('twinGet', { key: 'k' }), 'one');
  await b.call('set', { key: 'k', value: 'two' });
  await b.call('waitFor', { key: 'k', value: 'two' });
  const end = Date.now() + 5000;
  while ((await a.call('twinGet', { key: 'k' })) !== 'two') {
    assert.ok(Date.now() < end, 'the twin sees the other worker\'s write');
    await new Promise((r) => setTimeout(r, 10));
  }
  stop();
});

test('a late worker receives the current state', async () => {
  const id = uniqueId();
  const stop = await createNodePSCSynchronizer(id);
  const a = await worker(id);
  for (let i = 0; i < 500; i++) a.call('set', { key: `e${i}`, value: { i } });
  await a.call('set', { key: 'last', value: true });
  const late = await worker(id);
  await late.call('waitFor', { key: 'last', value: true });
  const dump = await late.call('dump');
  assert.equal(Object.keys(dump).length, 501);
  assert.deepEqual(dump.e499, { i: 499 });
  stop();
});

test('ready resolves once the copy holds the shared entries: a read at once finds them', async () => {
  const id = uniqueId();
  const stop = await createNodePSCSynchronizer(id);
  const a = await worker(id);
  const text = 'x'.repeat(1000);
  for (let i = 0; i < 3000; i++) a.call('set', { key: `e${i}`, value: text });
  await a.call('set', { key: 'last', value: true });
  for (let round = 0; round < 3; round++) {
    const late = await worker(id, { PSC_PROBE: 'last' });
    await late.call('ready');
    assert.deepEqual(await late.call('probe'), { found: true }, `round ${round}`);
    await late.call('stop');
  }
  stop();
});

test('concurrent bursts from every worker converge to one state everywhere', async () => {
  const { id, stop, ws } = await cluster(3);
  await Promise.all(ws.map((w, i) => w.call('burst', { keys: 20, rounds: 50, tag: `w${i}` })));
  const state = await converged(ws);
  assert.equal(Object.keys(state).length, 20);
  // The hub holds the same order: a late worker's snapshot equals every copy.
  const late = await worker(id);
  await late.call('waitFor', { key: 'k19', value: state.k19 });
  assert.deepEqual(await converged([late, ...ws]), state);
  stop();
});

test('a worker that starts before the hub serves its copy, then syncs; hub restart resynchronises', async () => {
  const id = uniqueId();
  const a = await worker(id);
  await a.call('set', { key: 'early', value: 1 });
  assert.equal(await a.call('get', { key: 'early' }), 1);
  assert.equal(await a.call('connected'), false);
  let stop = await createNodePSCSynchronizer(id);
  const b = await worker(id);
  await b.call('waitFor', { key: 'early', value: 1 });

  stop();
  // Hub gone: both keep serving their copies and keep accepting writes.
  assert.equal(await b.call('get', { key: 'early' }), 1);
  await a.call('set', { key: 'during', value: 2 });
  assert.equal(await a.call('get', { key: 'during' }), 2);

  stop = await createNodePSCSynchronizer(id);
  await b.call('waitFor', { key: 'during', value: 2 });
  await b.call('waitFor', { key: 'early', value: 1 });
  // The new hub was refilled from the workers' copies: a late joiner sees everything.
  const late = await worker(id);
  await late.call('waitFor', { key: 'during', value: 2 });
  await late.call('waitFor', { key: 'early', value: 1 });
  await late.call('set', { key: 'after', value: 3 });
  await a.call('waitFor', { key: 'after', value: 3 });
  stop();
});

test('a killed worker loses nothing for the others', async () => {
  const { id, stop, ws: [a, b] } = await cluster(2);
  await a.call('set', { key: 'from-a', value: 'kept' });
  await b.call('waitFor', { key: 'from-a', value: 'kept' });
  await a.kill();
  await b.call('set', { key: 'from-b', value: 'still works' });
  const late = await worker(id);
  await late.call('waitFor', { key: 'from-a', value: 'kept' });
  await late.call('waitFor', { key: 'from-b', value: 'still works' });
  stop();
});

test('a write is not lost when its worker is killed right after it', async () => {
  const { id, stop, ws: [a, b] } = await cluster(2);
  await b.call('set', { key: 'hello', value: 1 });
  await a.call('waitFor', { key: 'hello', value: 1 }); // a is subscribed and synchronised
  await a.call('set', { key: 'last-words', value: 'kept' });
  await a.kill();
  await b.call('waitFor', { key: 'last-words', value: 'kept' });
  const late = await worker(id);
  await late.call('waitFor', { key: 'last-words', value: 'kept' });
  stop();
});

test('expired entries are dropped in every copy and left out of snapshots', async () => {
  const { id, stop, ws: [a, b] } = await cluster(2);
  const expiry = Date.now() + 1500;
  await a.call('set', { key: 'short', value: ['v', expiry] });
  await a.call('set', { key: 'long', value: ['v', Date.now() + 600000] });
  await b.call('waitFor', { key: 'short', value: ['v', expiry] });
  await b.call('waitFor', { key: 'short', value: undefined });
  assert.equal(await a.call('get', { key: 'short' }), undefined);
  const late = await worker(id);
  await late.call('waitFor', { key: 'long', value: await a.call('get', { key: 'long' }) });
  assert.equal((await late.call('dump')).short, undefined);
  stop();
});

test('the hub bounds each scope and every copy follows its evictions', async () => {
  const { stop, ws: [a, b] } = await cluster(2, { maxEntries: 5 });
  await Promise.all([a, b].map((w) => w.call('ready')));
  for (let i = 0; i < 12; i++) await a.call('set', { key: `k${i}`, value: i });
  await b.call('waitFor', { key: 'k11', value: 11 });
  // Workers see each other's writes at once; the hub's evictions follow.
  for (const w of [a, b]) await w.call('waitFor', { key: 'k6', value: undefined });
  const state = await converged([a, b]);
  assert.deepEqual(Object.keys(state).sort(), ['k10', 'k11', 'k7', 'k8', 'k9']);
  stop();
});

test('values over the limit are refused at the call; nothing cached is lost', async () => {
  const id = uniqueId();
  const stop = await createNodePSCSynchronizer(id);
  const a = await worker(id, { PSC_OPTIONS: JSON.stringify({ maxValueBytes: 1000 }) });
  await a.call('set', { key: 'ok', value: 'small' });
  const res = await a.call('setTooLarge', { key: 'ok', size: 5000 });
  assert.equal(res.code, 'ERR_ALOVA_VALUE_TOO_LARGE');
  assert.equal(res.name, '[alova/psc]');
  assert.equal(await a.call('get', { key: 'ok' }), 'small');
  stop();
});

test('malformed and oversized frames close that connection only; the hub keeps serving', async () => {
  const { id, stop, ws: [a, b] } = await cluster(2, { maxFrameBytes: 4096 });
  await Promise.all([a, b].map((w) => w.call('ready')));
  const closed = async (bytes) => {
    const s = net.createConnection(socketPath(id));
    await once(s, 'connect');
    s.on('data', () => {});
    s.write(bytes);
    await once(s, 'close');
  };
  await closed(Buffer.from([5, 0, 0, 0, 99, 1, 2, 3, 4])); // unknown tag
  await closed(Buffer.from([0, 0, 0, 64])); // 1 GiB length
  await closed(Buffer.from([3, 0, 0, 0, 4, 0, 0])); // Welcome sent by a client, truncated
  await a.call('set', { key: 'after', value: 'fine' });
  await b.call('waitFor', { key: 'after', value: 'fine' });
  stop();
});

test('the socket is owner-only and stop() closes the hub and its clients', async () => {
  const id = uniqueId();
  const stop = await createNodePSCSynchronizer(id);
  const own = socketPath(id).replace(/\.sock$/, `.${process.pid}.sock`);
  assert.equal(fs.statSync(own).mode & 0o777, 0o600);
  assert.ok(fs.statSync(own).isSocket());
  assert.equal(fs.readlinkSync(socketPath(id)), path.basename(own), 'the well-known name points at it');
  // One hub per id and process; other processes start their own (see psc-generations).
  await assert.rejects(createNodePSCSynchronizer(id), { code: 'ERR_ALOVA_PSC', name: '[alova/psc]' });
  const a = await worker(id);
  await a.call('ready');
  assert.equal(await a.call('connected'), true);
  // The shared log has no path: nothing in the directory but the socket and its name.
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(id)).sort(), [path.basename(socketPath(id)), path.basename(own)].sort());
  stop();
  assert.equal(fs.existsSync(socketPath(id)), false);
  assert.equal(fs.existsSync(own), false);
  const end = Date.now() + 5000;
  while ((await a.call('connected')) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await a.call('connected'), false);
  await a.call('stop');
});

test('a hub whose stop() is not kept serves until the process ends, through garbage collections', async () => {
  const id = uniqueId();
  // alova's documented primary: `await createNodePSCSynchronizer()`, the result dropped.
  await createNodePSCSynchronizer(id);
  const a = await worker(id);
  await a.call('ready');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(fs.existsSync(socketPath(id)), 'the socket is still served');
  const b = await worker(id);
  await b.call('ready');
  await a.call('set', { key: 'after-gc', value: 1 });
  await b.call('waitFor', { key: 'after-gc', value: 1, timeout: 3000 });
  assert.equal(await a.call('connected'), true);
  await Promise.all([a.call('stop'), b.call('stop')]);
});

test('a process with nothing else to do waits for `ready`, then may exit', async () => {
  const id = uniqueId();
  const script = `
    const { NodeSyncAdapter } = require('@alova/native/psc');
    const sync = NodeSyncAdapter(undefined, ${JSON.stringify(id)});
    sync.ready.then(() => { console.log('ready'); sync.stop(); });
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), env: process.env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  // The hub comes later: the child keeps waiting for it.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null, 'still waiting');
  const stop = await createNodePSCSynchronizer(id);
  const [code] = await once(child, 'exit');
  assert.equal(out.trim(), 'ready');
  assert.equal(code, 0);
  stop();
});

/** Voluntary context switches (wake-ups) of a process's shared-cache threads. */
function pscWakeups(pid) {
  let n = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').startsWith('alova-psc')) continue;
      n += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8'))[1]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return n;
}

test('an idle cluster never wakes up: no periodic timer in the hub or the workers', { skip: process.platform !== 'linux' }, async () => {
  const { stop, ws: [a, b] } = await cluster(2);
  await a.call('set', { key: 'expires-later', value: ['v', Date.now() + 3600e3] });
  await a.call('set', { key: 'plain', value: 1 });
  await b.call('waitFor', { key: 'plain', value: 1 });
  await new Promise((r) => setTimeout(r, 200));
  const pids = [process.pid, a.proc.pid, b.proc.pid];
  const before = pids.map(pscWakeups);
  await new Promise((r) => setTimeout(r, 3000));
  const after = pids.map(pscWakeups);
  assert.deepEqual(after, before, 'wake-ups of the hub thread and both client threads over 3 s');
  // Expiry still happens on time without the periodic sweep.
  await a.call('set', { key: 'short', value: ['v', Date.now() + 300] });
  await b.call('waitFor', { key: 'short', value: undefined });
  stop();
});
