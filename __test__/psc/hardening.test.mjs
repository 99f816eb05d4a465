// What another user, a same-user peer or a careless caller can do to the process-shared
// cache: foreign directories and sockets are refused, frame limits never wedge a worker,
// a stopped subscriber cannot grow the hub without bound, the shared log cannot be truncated
// and garbage written into it or through the private binding crashes nobody.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createNodePSCSynchronizer, NodeSyncAdapter, createPSCAdapter } from '@alova/native/psc';
import { forkWorker, forkChild, startPrimary } from '../fixtures/psc/driver.mjs';

const require = createRequire(import.meta.url);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-hard-'));
const NOBODY = 65534;
const procs = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  fs.rmSync(root, { recursive: true, force: true });
});
let n = 0;
const uniqueId = () => `hard-${process.pid}-${n++}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isRoot = process.getuid?.() === 0;

/** Runs `fn` with ALOVA_PSC_DIR set to `dir`. */
async function inDir(dir, fn) {
  const before = process.env.ALOVA_PSC_DIR;
  process.env.ALOVA_PSC_DIR = dir;
  try {
    return await fn();
  } finally {
    process.env.ALOVA_PSC_DIR = before;
  }
}

/** Runs `fn` in directory `name` with a hub in this process and one ready worker. */
function withHub(name, fn) {
  const dir = path.join(root, name);
  return inDir(dir, async () => {
    const id = uniqueId();
    const stop = await createNodePSCSynchronizer(id);
    const worker = async () => {
      const w = await forkWorker({ PSC_ID: id, ALOVA_PSC_DIR: dir });
      procs.push(w);
      await w.call('ready');
      return w;
    };
    try {
      await fn({ dir, id, worker, a: await worker() });
    } finally {
      stop();
    }
  });
}

async function refusedEverywhere(dir) {
  await inDir(dir, async () => {
    await assert.rejects(createNodePSCSynchronizer(uniqueId()), { code: 'ERR_ALOVA_PSC', name: '[alova/psc]', message: /refusing/ });
    assert.throws(() => NodeSyncAdapter(undefined, uniqueId()), { code: 'ERR_ALOVA_PSC', name: '[alova/psc]' });
  });
}

test('a scope that is not a string is refused at the call', () => {
  const sync = NodeSyncAdapter(undefined, `scope-${process.pid}`);
  for (const scope of [NaN, Infinity, 1, {}]) {
    assert.throws(() => createPSCAdapter(sync, undefined, { scope }), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/psc]' });
  }
  sync.stop();
});

test('set and remove refuse a key that is not a string or holds a lone surrogate; other keys cross processes', () =>
  withHub('keys', async ({ id, a }) => {
    const sync = NodeSyncAdapter(undefined, id);
    const psc = createPSCAdapter(sync);
    await sync.ready;
    await psc.set('kept', 1);
    // A lone surrogate would reach other processes as U+FFFD, under a key nobody asks for.
    for (const key of [12, NaN, null, undefined, {}, '\ud800', 'a\udc00b', '\udfff\ud800']) {
      await assert.rejects(psc.set(key, 2), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/psc]' }, String(key));
      await assert.rejects(psc.remove(key), { code: 'ERR_ALOVA_INVALID_ARG', name: '[alova/psc]' }, String(key));
    }
    await psc.set('pair \ud83d\ude00 é', 3);
    await a.call('waitFor', { key: 'pair \ud83d\ude00 é', value: 3 });
    await a.call('waitFor', { key: 'kept', value: 1 });
    assert.equal(psc.get('kept'), 1);
    sync.stop();
  }));

test('a directory open to others, owned by another user or a symbolic link is refused', async () => {
  const open = path.join(root, 'open');
  fs.mkdirSync(open);
  fs.chmodSync(open, 0o777);
  await refusedEverywhere(open);
  const group = path.join(root, 'group');
  fs.mkdirSync(group, { mode: 0o750 });
  fs.chmodSync(group, 0o750);
  await refusedEverywhere(group);
  const mine = path.join(root, 'mine');
  fs.mkdirSync(mine, { mode: 0o700 });
  const link = path.join(root, 'link');
  fs.symlinkSync(mine, link);
  await refusedEverywhere(link);
  if (isRoot) {
    const theirs = path.join(root, 'theirs');
    fs.mkdirSync(theirs, { mode: 0o700 });
    fs.chownSync(theirs, NOBODY, NOBODY);
    await refusedEverywhere(theirs);
  }
  // An absent directory is created owner-only.
  const fresh = path.join(root, 'fresh', 'psc');
  await inDir(fresh, async () => {
    const stop = await createNodePSCSynchronizer(uniqueId());
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o700);
    stop();
  });
});

test('a worker never talks to a socket that is not its own user\'s, open to others or not a socket', async () => {
  const dir = path.join(root, 'sockets');
  fs.mkdirSync(dir, { mode: 0o700 });
  const cases = [
    { name: 'open', mode: 0o777 },
    ...(isRoot ? [{ name: 'foreign', owner: NOBODY, mode: 0o600 }] : []),
  ];
  for (const c of cases) {
    const id = `${uniqueId()}-${c.name}`;
    const fake = path.join(dir, `${id}.999999.sock`);
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    server.listen(fake);
    await once(server, 'listening');
    fs.chmodSync(fake, c.mode);
    if (c.owner !== undefined) fs.chownSync(fake, c.owner, c.owner);
    fs.symlinkSync(path.basename(fake), path.join(dir, `${id}.sock`));
    const w = await forkChild({ PSC_ID: id, ALOVA_PSC_DIR: dir });
    procs.push(w);
    await w.call('set', { key: 'k', value: 'secret' });
    await sleep(400);
    assert.equal(connections, 0, c.name);
    assert.equal(await w.call('connected'), false);
    assert.equal(await w.call('get', { key: 'k' }), 'secret', 'the worker keeps serving its copy');
    await w.kill();
    server.close();
  }
  // A plain file or a symbolic link leading out of the directory is not followed either.
  const id = uniqueId();
  fs.writeFileSync(path.join(dir, `${id}.5.sock`), '');
  fs.symlinkSync(`${id}.5.sock`, path.join(dir, `${id}.sock`));
  const w = await forkChild({ PSC_ID: id, ALOVA_PSC_DIR: dir });
  procs.push(w);
  await sleep(200);
  assert.equal(await w.call('connected'), false);
  await w.kill();
});

test('set refuses an entry whose frame would exceed the limit; later writes still arrive', async () => {
  const dir = path.join(root, 'frames');
  await inDir(dir, async () => {
    const id = uniqueId();
    const stop = await createNodePSCSynchronizer(id, { maxFrameBytes: 4096 });
    const opts = JSON.stringify({ maxFrameBytes: 4096 });
    const a = await forkWorker({ PSC_ID: id, ALOVA_PSC_DIR: dir, PSC_OPTIONS: opts });
    // This one keeps the default limits and learns the hub's when it connects.
    const b = await forkWorker({ PSC_ID: id, ALOVA_PSC_DIR: dir });
    procs.push(a, b);
    await Promise.all([a.call('ready'), b.call('ready')]);
    const res = await a.call('setTooLarge', { key: 'k'.repeat(2000), size: 2500 });
    assert.equal(res.code, 'ERR_ALOVA_VALUE_TOO_LARGE');
    assert.equal(res.name, '[alova/psc]');
    assert.match(res.message, /frame/);
    const fromB = await b.call('setTooLarge', { key: 'big', size: 5000 });
    assert.equal(fromB.code, 'ERR_ALOVA_VALUE_TOO_LARGE');
    await a.call('set', { key: 'after', value: 'arrives' });
    await b.call('set', { key: 'after-b', value: 'arrives too' });
    await b.call('waitFor', { key: 'after', value: 'arrives' });
    await a.call('waitFor', { key: 'after-b', value: 'arrives too' });
    assert.equal(await a.call('connected'), true);
    stop();
  });
});

test('a late joiner gets a cache of small entries plus one value near the limit', () =>
  withHub('snapshot', async ({ a, worker }) => {
    await a.call('fill', { prefix: 's', count: 2100, size: 500 }); // ~1 MiB of small entries
    const big = 16 * 1024 * 1024 - 4096;
    assert.deepEqual(await a.call('setTooLarge', { key: 'big', size: big }), { ok: true });
    // Default limits: a value just under maxValueBytes with a 2 KiB key is refused at the call.
    const over = await a.call('setTooLarge', { key: 'k'.repeat(2048), size: 16 * 1024 * 1024 - 1024 - 10 });
    assert.equal(over.code, 'ERR_ALOVA_VALUE_TOO_LARGE');
    const late = await worker();
    await late.call('waitFor', { key: 's2099', value: 'x'.repeat(500), timeout: 20000 });
    assert.equal(await late.call('length', { key: 'big' }), big);
  }));

/** Resident and peak memory of a process, in MiB. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

test('a stopped subscriber during a write flood: the hub stays bounded and the worker resyncs', async () => {
  const dir = path.join(root, 'slow');
  fs.mkdirSync(dir, { mode: 0o700 });
  const id = uniqueId();
  // 64 KiB frames: each connection may queue about 1.1 MiB.
  const hub = await startPrimary({ id, dir, workers: 2, options: { maxFrameBytes: 65536 } });
  procs.push(hub.p);
  const [a, b] = hub.ws;
  await a.call('set', { key: 'before', value: 1 });
  await b.call('waitFor', { key: 'before', value: 1 });
  const before = memory(hub.p.proc.pid);
  const pid = await b.pid();
  process.kill(pid, 'SIGSTOP');
  try {
    // 20k writes of 4 KiB: 80 MiB the hub would otherwise queue for the stopped worker.
    await a.call('flood', { count: 20000, keys: 500, size: 4096 });
    await a.call('set', { key: 'after', value: 'flood' });
    await sleep(500);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const during = memory(hub.p.proc.pid);
  assert.ok(during.peak - before.rss < 40, `hub grew from ${before.rss} to a peak of ${during.peak} MiB`);
  await b.call('waitFor', { key: 'after', value: 'flood', timeout: 20000 });
  assert.equal(await b.call('length', { key: 'f499' }), await a.call('length', { key: 'f499' }));
  const dumpA = await a.call('dump');
  const dumpB = await b.call('dump');
  assert.deepEqual(Object.keys(dumpB).sort(), Object.keys(dumpA).sort());
  assert.equal(dumpB.f7, dumpA.f7);
  await hub.exit();
});

test('the shared log cannot be truncated; workers keep working after the attempt', () =>
  withHub('log', async ({ dir, a, worker }) => {
    const b = await worker();
    await a.call('set', { key: 'k', value: 1 });
    await b.call('waitFor', { key: 'k', value: 1 });
    const logs = fs
      .readdirSync('/proc/self/fd')
      .map((fd) => `/proc/self/fd/${fd}`)
      .filter((p) => {
        try {
          return fs.readlinkSync(p).startsWith('/memfd:alova-psc-log');
        } catch {
          return false;
        }
      });
    assert.ok(logs.length >= 1, 'the hub holds the log');
    for (const p of logs) {
      assert.throws(() => fs.truncateSync(p, 0), { code: 'EPERM' });
      assert.throws(() => fs.truncateSync(p, 1 << 30), { code: 'EPERM' });
    }
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.ring')).length, 0, 'no log file to truncate');
    await a.call('set', { key: 'k', value: 2 });
    await b.call('waitFor', { key: 'k', value: 2 });
  }));

test('garbage through the private binding crashes no process and stops no other worker', () =>
  withHub('garbage', async ({ dir, id, a, worker }) => {
    const { socketPath } = require('../../lib/psc/node.js');
    const binding = require.resolve('../../lib/native.js');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const native = require(${JSON.stringify(binding)});
         const link = native.PscLink.connectHub(${JSON.stringify(socketPath(id))}, {}, (synced) => {
           if (synced) return;
           const r = link.attach(undefined);
           for (const v of ['[é]', '[1,é1700000000000]', 'not json', '[\\u00e9,1]', '{"a":']) r.set('bad', v);
           r.set('good', '"yes"');
           setTimeout(() => { link.stop(); process.exit(0); }, 300);
         });
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, ALOVA_PSC_DIR: dir }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const [code, signal] = await once(child, 'exit');
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
    await a.call('waitFor', { key: 'good', value: 'yes' });
    assert.equal(await a.call('get', { key: 'bad' }), undefined, 'nothing that is not JSON reached a copy');
    await a.call('set', { key: 'still', value: 'fine' });
    const late = await worker();
    await late.call('waitFor', { key: 'still', value: 'fine' });
  }));
