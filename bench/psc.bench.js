'use strict';
// Process-shared cache across node:cluster workers: @alova/native/psc vs @alova/psc 1.0.15,
// same run. This file is both the cluster primary (hub + driver) and the workers.
//
// Rows: propagation latency set-in-A → visible-in-B (CLOCK_MONOTONIC is shared by processes
// on Linux, so A stamps the value with process.hrtime and B subtracts on sight; a stamp every
// millisecond, and under the spinning row every 20 µs, which keeps the code warm), sustained
// sets/s with 2 and 4 workers (until every worker has seen every write), init time of a late
// worker with 10k entries (LATE_JOINS workers, default 5, one after another), reads/s in B
// while A writes (at 10k sets/s, at full speed, and native's A at the rate @alova/psc's A
// reached at full speed: the same work for B), what
// an idle cluster costs (CPU and thread wake-ups of the primary and two workers over
// IDLE_SECONDS, default 10, with one entry that expires in an hour) and the memory a worker
// holds for MEMORY_ENTRIES (default 100k) entries of 1 KB of JSON, written by one worker and
// all read by the other (RSS growth after a GC, each worker on a fresh hub).
// Under the yielding row: the same poll loop over a Map alone, what it makes a write wait,
// and V8's collections in it (a yielding loop's pauses are mostly its own garbage's). Under the
// spinning row: the same stamps through shared memory between two threads of B, and what a
// small piece of JS run once a stamp costs against the same piece run back to back.
// BENCH_ONLY=idle|latency|reads|init|sets|memory runs those rows alone (comma-separated).
const cluster = require('node:cluster');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { GCProfiler } = require('node:v8');
const { report, percentile } = require('./lib/measure');

// @alova/psc first: native's reads row at equal work uses the write rate it reached.
const IMPLS = {
  '@alova/psc': () => require('@alova/psc'),
  native: () => require('@alova/native/psc'),
};
const now = () => process.hrtime.bigint();
const LATE_JOINS = Number(process.env.LATE_JOINS || 5);
const tick = () => new Promise((r) => setImmediate(r));
// V8's collections while `run` runs (counted natively, nothing allocated in the heap until the
// end): how many, and the ms they took.
async function gcDuring(run) {
  const profiler = new GCProfiler();
  profiler.start();
  await run();
  const gcs = profiler.stop().statistics;
  return { count: gcs.length, ms: gcs.reduce((sum, g) => sum + g.cost, 0) / 1000 };
}

if (cluster.isPrimary) primary().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
else workerMain();

// ------------------------------------------------------------------------------- primary
async function primary() {
  process.env.ALOVA_PSC_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-bench-'));
  const seconds = Number(process.env.BENCH_SECONDS || 2);
  const rows = { latency: [], sets: [], init: [], reads: { 10000: [], 0: [], same: [] }, idle: [], memory: [] };
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
  const want = (row) => !only || only.includes(row);
  // Workers can be asked to collect garbage before their memory is read.
  cluster.setupPrimary({ execArgv: ['--expose-gc'] });
  for (const impl of Object.keys(IMPLS)) {
    if (want('memory')) rows.memory.push({ name: impl, ...(await memory(impl, Number(process.env.MEMORY_ENTRIES || 100000))) });
    if (only && only.every((r) => r === 'memory')) continue;
    const id = `bench-${process.pid}-${impl.replace(/\W/g, '')}`;
    const stop = await IMPLS[impl]().createNodePSCSynchronizer(id);
    const spawn = async () => {
      const w = cluster.fork({ PSC_IMPL: impl, PSC_ID: id });
      const d = drive(w);
      await d.online;
      await d.call('ready');
      return d;
    };
    const ws = [await spawn(), await spawn()];

    if (want('idle')) rows.idle.push({ name: impl, ...(await idle(ws, Number(process.env.IDLE_SECONDS || 10))) });

    const floor = want('latency') && impl === 'native' && (await ws[1].call('pollFloor', { ms: 2000 }));
    const lat = want('latency') && (await latency(ws[0], ws[1], 2000, false));
    if (lat) rows.latency.push({ name: impl, concurrency: 1, opsPerSec: lat.rate, cpuUsPerOp: 0, p50us: lat.p50, p99us: lat.p99, seen: lat.seen, samples: lat.samples, wakes: lat.wakes, floor });
    if (lat && impl === 'native') {
      // Reads are synchronous and local: B can also spin without yielding to its event loop.
      // (@alova/psc cannot: its copy is only updated by its event loop.)
      const spin = await latency(ws[0], ws[1], 2000, true);
      const spinFloor = await ws[1].call('spinFloor', { samples: 2000 });
      // The same path with its code kept warm: A stamps every 20 µs (spinning between), so
      // neither side's code leaves the CPU's caches between stamps.
      const warmRow = await latency(ws[0], ws[1], 5000, true, 20);
      rows.latency.push({ name: 'native, B not yielding', concurrency: 1, opsPerSec: spin.rate, cpuUsPerOp: 0, p50us: spin.p50, p99us: spin.p99, seen: spin.seen, samples: spin.samples, wakes: spin.wakes, spinFloor, warmRow });
    }

    const theirs = rows.reads[0].find((r) => r.name === '@alova/psc');
    for (const rate of want('reads') ? [10000, 0, 'same'] : []) {
      if (rate === 'same' && !theirs) continue;
      const r = await reads(ws[0], ws[1], seconds, rate === 'same' ? Math.round(theirs.written) : rate);
      const row = { name: impl, concurrency: 1, opsPerSec: r.reads, cpuUsPerOp: 0, p50us: 0, p99us: 0, stale: r.stale, written: r.written, cpuPerWrite: r.cpuPerWrite, readerShare: r.readerShare };
      rows.reads[rate].push(row);
      if (rate === 0 && impl === '@alova/psc') rows.reads.same.push(row);
    }

    // Late joiner: 10k alova-shaped entries are in the hub, a new worker fills its copy.
    if (want('init')) {
    await ws[0].call('fill', { n: 10000 });
    await ws[1].call('waitCount', { n: 10000 });
    // One join is one sample of a noisy machine: several, each after the last has gone.
    const times = [];
    for (let i = 0; i < LATE_JOINS; i++) {
      const ld = drive(cluster.fork({ PSC_IMPL: impl, PSC_ID: id, PSC_LATE: '10000' }));
      await ld.online;
      times.push(await ld.call('initTime'));
      if (i + 1 === LATE_JOINS) ws.push(ld);
      else await new Promise((r) => ld.worker.once('exit', r).kill('SIGKILL'));
    }
    times.sort((a, b) => a - b);
    const [median, worst] = [times[times.length >> 1], times.at(-1)];
    rows.init.push({ name: impl, concurrency: 1, opsPerSec: 1000 / median, cpuUsPerOp: 0, p50us: median * 1000, p99us: worst * 1000 });
    }

    // Last: after a flood the hub may still be replaying the log (see the note below).
    for (const n of want('sets') ? [2, 4] : []) {
      const active = ws.slice(0, n);
      while (active.length < n) {
        const w = await spawn();
        ws.push(w);
        active.push(w);
      }
      const s = await sets(active, seconds, `r${n}`);
      rows.sets.push({ name: impl, concurrency: n, opsPerSec: s, cpuUsPerOp: 0, p50us: 0, p99us: 0 });
    }

    for (const w of ws) w.worker.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    stop();
  }
  console.log(`\n(${os.cpus().length} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${seconds}s per throughput row)`);
  if (rows.idle.length) console.log(`\nidle cluster (primary + 2 workers, ${process.env.IDLE_SECONDS || 10} s, no traffic)`);
  for (const r of rows.idle) {
    console.log(`  ${r.name.padEnd(12)} CPU ${r.cpuMs.toFixed(0).padStart(4)} ms (${r.cpuPct.toFixed(2)}%)  wake-ups/s: ${r.wakeups.map((w) => w.toFixed(1)).join(' / ')} (primary / workers)`);
  }
  if (rows.memory.length) console.log(`\nmemory per worker for ${process.env.MEMORY_ENTRIES || 100000} entries of ~1 KB JSON (RSS growth after a GC; JS heap growth)`);
  for (const r of rows.memory) {
    const mb = (b) => `${(b / 1048576).toFixed(1).padStart(6)} MB`;
    console.log(`  ${r.name.padEnd(12)} reader: RSS ${mb(r.reader.rss)}, heap ${mb(r.reader.heap)}   writer: RSS ${mb(r.writer.rss)}, heap ${mb(r.writer.heap)}   (${(r.jsonBytes / 1048576).toFixed(1)} MB of JSON)`);
  }
  if (process.env.PSC_DEBUG) {
    for (const r of rows.memory) {
      const x = r.reader;
      const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
      console.log(`  ${r.name} reader RSS by mapping: anonymous ${mb(x.anon)} (V8 heap committed ${mb(x.heapCommitted)}, used ${mb(x.heap)}; the rest, malloc: ${mb(x.anon - x.heapCommitted)}), shared log ${mb(x.ring)}, files ${mb(x.file)}; external ${mb(x.external)}`);
    }
  }
  const mem = (name) => rows.memory.find((r) => r.name === name);
  if (rows.memory.length === 2) console.log(`  native / @alova/psc, reader RSS: ${(mem('native').reader.rss / mem('@alova/psc').reader.rss).toFixed(2)}×`);
  const rep = (title, list, note) => list.length && (report(title, list, ['@alova/psc']), note && note());
  rep('propagation set-in-A → visible-in-B (µs; ops/s = stamps B saw per second of stamping)', rows.latency, () => {
    const base = rows.latency.find((r) => r.name === '@alova/psc');
    for (const r of rows.latency) {
      const vs = base && r !== base ? `; p99 ${(base.p99us / r.p99us).toFixed(1)}× lower than @alova/psc's` : '';
      const wakes = r.wakes.map((w) => w.toFixed(2)).join(' / ');
      console.log(`${r.name}: B saw ${r.seen} of ${r.samples} stamps (a stamp replaced before B looked is missed)${vs}; thread wake-ups per stamp ${wakes} (primary / A / B)`);
      if (r.floor) {
        const f = r.floor;
        console.log(`  B's yielding poll loop alone (a Map, no cache): a write at a random moment waits for its next poll p50 ${f.p50.toFixed(1)} µs, p99 ${f.p99.toFixed(1)} µs (${f.polls} polls in 2 s; ${f.long} gaps over 100 µs, ${f.longMs.toFixed(1)} ms in all; V8's collections in 1 s of it apart: ${f.gc.count}, ${f.gc.ms.toFixed(1)} ms)`);
      }
      if (r.spinFloor) {
        const f = r.spinFloor;
        const us = ([p50, p99]) => `p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs`;
        console.log(`  B spinning on shared memory alone (a thread of B's stamps it every ms, no cache): seen ${us([f.p50, f.p99])} (${f.seen} of ${f.samples} stamps); a small piece of JS run on sight of each stamp took ${us(f.cold)}, the same piece back to back ${us(f.warm)}`);
        const w = r.warmRow;
        console.log(`  the same row with A stamping every 20 µs (both sides' code kept warm): p50 ${w.p50.toFixed(1)} µs, p99 ${w.p99.toFixed(1)} µs (B saw ${w.seen} of ${w.samples} stamps)`);
      }
    }
  });
  rep('sustained sets/s, all workers writing, until every worker saw every write', rows.sets, () =>
    console.log('(native: workers see each other through the shared log; the hub replays it for late joiners and may finish later)'));
  rep(`late worker init with 10k entries, ${LATE_JOINS} joins (ms × 1000 = µs: p50 column the median, p99 column the slowest)`, rows.init);
  const during = { 10000: '10k sets/s', 0: 'as fast as it can', same: "at the rate @alova/psc's A reached at full speed" };
  for (const rate of [10000, 0, 'same']) {
    rep(`reads/s in B while A writes ${during[rate]}`, rows.reads[rate], () => {
      for (const r of rows.reads[rate]) {
        const cpu = r.cpuPerWrite.reduce((x, y) => x + y, 0);
        const parts = r.cpuPerWrite.map((c) => c.toFixed(2)).join(' / ');
        console.log(`${r.name}: A wrote ${(r.written / 1000).toFixed(0)}k/s; B saw A's last write ${r.stale ? 'late' : 'at the end of the run'}; CPU per write ${cpu.toFixed(2)} µs (primary / A / B but its reading thread: ${parts}); B's reading thread ran ${(r.readerShare * 100).toFixed(0)}% of the time`);
      }
    });
  }
}

/** RSS and JS heap growth of a reader and a writer holding `n` entries of ~1 KB, on a fresh hub. */
async function memory(impl, n) {
  const id = `bench-mem-${process.pid}-${impl.replace(/\W/g, '')}`;
  const stop = await IMPLS[impl]().createNodePSCSynchronizer(id);
  const ws = [];
  for (let i = 0; i < 2; i++) {
    const d = drive(cluster.fork({ PSC_IMPL: impl, PSC_ID: id }));
    await d.online;
    await d.call('ready');
    ws.push(d);
  }
  const [writer, reader] = ws;
  const base = await Promise.all(ws.map((w) => w.call('memUsage')));
  const jsonBytes = await writer.call('fillBig', { n });
  await reader.call('readAll', { n });
  const end = await Promise.all(ws.map((w) => w.call('memUsage')));
  const grow = (i) => Object.fromEntries(Object.keys(end[i]).map((k) => [k, end[i][k] - base[i][k]]));
  for (const w of ws) w.worker.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  stop();
  return { writer: grow(0), reader: grow(1), jsonBytes };
}

/**
 * CPU ticks and voluntary context switches (wake-ups) of all threads of each process;
 * `mainTicks`: the ticks of its main (JS) thread alone.
 */
function threadCounts(pids) {
  return pids.map((pid) => {
    let ticks = 0;
    let mainTicks = 0;
    let wakes = 0;
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const st = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1].split(' ');
        const n = Number(st[11]) + Number(st[12]);
        ticks += n;
        if (t === String(pid)) mainTicks = n;
        const status = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
        wakes += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]);
      } catch {
        // thread ended
      }
    }
    return { ticks, mainTicks, wakes };
  });
}

/** CPU time and voluntary context switches (all threads) of this process and `ws` while idle. */
async function idle(ws, seconds) {
  await ws[0].call('expiring');
  await new Promise((r) => setTimeout(r, 500));
  const pids = [process.pid, ...ws.map((w) => w.worker.process.pid)];
  const a = threadCounts(pids);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = threadCounts(pids);
  const cpuMs = b.reduce((sum, x, i) => sum + (x.ticks - a[i].ticks) * 10, 0);
  return {
    cpuMs,
    cpuPct: (cpuMs / (seconds * 1000)) * 100,
    wakeups: b.map((x, i) => (x.wakes - a[i].wakes) / seconds),
  };
}

/**
 * Percentiles of the stamps B saw; `rate`: stamps B saw per second of A's stamping; `wakes`:
 * thread wake-ups per stamp in the primary, A and B (B's JS thread polls and never sleeps).
 */
let stampRows = 0;
async function latency(a, b, samples, spin, everyUs = 1000) {
  // A key of its own: B watches for this row's last stamp.
  const key = `stamp-${++stampRows}`;
  const watching = b.call('watch', { key, samples, spin });
  await new Promise((r) => setTimeout(r, 50));
  const pids = [process.pid, a.worker.process.pid, b.worker.process.pid];
  const before = threadCounts(pids);
  const t0 = Date.now();
  await a.call('stamp', { key, samples, everyUs });
  const stamping = Date.now() - t0;
  const wakes = threadCounts(pids).map((x, i) => (x.wakes - before[i].wakes) / samples);
  const lats = (await watching).sort((x, y) => x - y);
  return { p50: percentile(lats, 0.5), p99: percentile(lats, 0.99), rate: (lats.length * 1000) / stamping, seen: lats.length, samples, wakes };
}

/**
 * `cpuPerWrite`: µs of CPU per write in the primary, A, and B's threads other than the
 * reading one (which never sleeps), each process's share apart.
 */
async function reads(a, b, seconds, rate) {
  const pids = [process.pid, a.worker.process.pid, b.worker.process.pid];
  const reading = b.call('readLoop', { seconds });
  const before = threadCounts(pids);
  const written = await a.call('writeLoop', { seconds, rate });
  const after = threadCounts(pids);
  const r = await reading;
  const cpuPerWrite = after.map((x, i) => {
    const ticks = x.ticks - before[i].ticks - (i === 2 ? x.mainTicks - before[i].mainTicks : 0);
    return (ticks * 10_000) / written;
  });
  // The share of a core B's reading thread got: on a machine with fewer cores than busy
  // threads, the read rate follows it.
  const readerShare = ((after[2].mainTicks - before[2].mainTicks) * 10) / (seconds * 1000);
  return { reads: r.reads / seconds, stale: r.stale, written: written / seconds, cpuPerWrite, readerShare };
}

async function sets(ws, seconds, tag) {
  const t0 = now();
  await Promise.all(ws.map((w, i) => w.call('flood', { seconds, tag, me: i })));
  await Promise.all(ws.map((w) => w.call('waitMarkers', { tag, n: ws.length })));
  const secs = Number(now() - t0) / 1e9;
  const counts = await Promise.all(ws.map((w) => w.call('floodCount', { tag })));
  return counts.reduce((x, y) => x + y, 0) / secs;
}

function drive(worker) {
  let next = 0;
  const pending = new Map();
  const online = new Promise((resolve) =>
    worker.on('message', (m) => {
      if (m.online) return resolve();
      const p = pending.get(m.rid);
      pending.delete(m.rid);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    }),
  );
  return {
    worker,
    online,
    call: (op, args = {}) =>
      new Promise((resolve, reject) => {
        const rid = next++;
        pending.set(rid, { resolve, reject });
        worker.send({ rid, op, ...args });
      }),
  };
}

// -------------------------------------------------------------------------------- worker
function workerMain() {
  const lib = IMPLS[process.env.PSC_IMPL]();
  let connected;
  const ready = new Promise((r) => (connected = r));
  const t0 = now();
  let tConnected;
  const sync = lib.NodeSyncAdapter(() => ((tConnected ??= now()), connected()), process.env.PSC_ID);
  const psc = lib.createPSCAdapter(sync);
  if (sync.ready) sync.ready.then(connected);
  const floods = new Map();
  const entry = (i) => [{ id: i, name: `user ${i}`, tags: ['a', 'b'], score: i * 1.5 }, Date.now() + 600000];
  // Entries the local copy can serve (ours takes a value from its replica on first read).
  const count = () => {
    psc.get('\0');
    return psc._replica ? psc._entries() : Object.keys(psc.cacheAdapter.getCache()).length;
  };
  const handlers = {
    ready: async () => {
      await ready;
      await new Promise((r) => setTimeout(r, 100)); // let the init snapshot land
    },
    expiring: () => psc.set('expiring', [{ v: 1 }, Date.now() + 3600e3]),
    // A stamp every `everyUs`: a timer of 1 ms, or for less, a spin that yields to the event
    // loop every 16 stamps.
    stamp: async ({ key, samples, everyUs }) => {
      for (let i = 0; i < samples; i++) {
        // An object, not an array: `[data, n]` is an alova entry whose slot 1 is its expiry.
        await psc.set(key, { at: String(now()), i });
        if (everyUs >= 1000) await new Promise((r) => setTimeout(r, everyUs / 1000));
        else {
          const until = now() + BigInt(everyUs * 1000);
          while (now() < until);
          if ((i & 15) === 15) await tick();
        }
      }
    },
    watch: async ({ key, samples, spin }) => {
      const lats = [];
      let last = -1;
      const end = Date.now() + 30000;
      // The deadline is read every 4096 polls: `Date.now()` allocates a number each call, and
      // a poll loop making garbage at memory speed measures the young-generation GC it causes.
      let polls = 0;
      // Until the last stamp, which no later one replaces (B may miss others).
      while (last !== samples - 1 && ((++polls & 4095) !== 0 || Date.now() < end)) {
        const v = psc.get(key);
        if (v && v.i !== last) {
          const seen = now();
          if (last !== -1 || v.i === 0) lats.push(Number(seen - BigInt(v.at)) / 1000);
          last = v.i;
        }
        // Poll the local copy; yield so that a transport that needs the event loop can work.
        if (!spin) await tick();
      }
      return lats;
    },
    // What B's yielding poll loop costs a write before any cache: the same loop over a Map,
    // with its gaps between polls timed (a clock read each, a little garbage of its own).
    // A write landing at a random moment waits out the rest of the gap it lands in.
    pollFloor: async ({ ms }) => {
      const local = new Map([['stamp', { i: 0 }]]);
      const gaps = new Float64Array(8e6);
      let v;
      // Polls for `ms`, each gap between polls timed; returns how many.
      const poll = async (ms) => {
        let i = 0;
        let prev = performance.now();
        const end = prev + ms;
        while (prev < end && i < gaps.length) {
          v = local.get('stamp');
          await tick();
          const t = performance.now();
          gaps[i++] = t - prev;
          prev = t;
        }
        return i;
      };
      // Its collections are counted in a run of 1 s of its own first: counting costs each a
      // little, and the timed run is left as it was.
      const gc = await gcDuring(() => poll(1000));
      const n = await poll(ms);
      const g = gaps.subarray(0, n);
      const total = g.reduce((a, b) => a + b, 0);
      // The wait w exceeded with chance 1 - p: the time left in gaps beyond w is (1 - p) of all.
      const wait = (p) => {
        let lo = 0;
        let hi = g.reduce((a, b) => Math.max(a, b), 0);
        for (let k = 0; k < 40; k++) {
          const w = (lo + hi) / 2;
          const beyond = g.reduce((sum, x) => sum + Math.max(0, x - w), 0);
          if (beyond > (1 - p) * total) lo = w;
          else hi = w;
        }
        return lo * 1000;
      };
      const long = g.filter((x) => x > 0.1);
      return { polls: n, p50: wait(0.5), p99: wait(0.99), long: long.length, longMs: long.reduce((a, b) => a + b, 0), gc, v: v.i };
    },
    // What B's spinning row costs a write before any cache: a thread of B's own stamps a
    // SharedArrayBuffer every millisecond, as A stamps its writes, and B spins on it. On sight
    // of each stamp B also times a small piece of JS (split a short text, parse its JSON, store
    // it): the same piece back to back shows what it costs while the CPU's caches hold it.
    spinFloor: async ({ samples }) => {
      const { Worker } = require('node:worker_threads');
      const sab = new SharedArrayBuffer(16);
      const seq = new Int32Array(sab, 0, 1);
      const at = new BigInt64Array(sab, 8, 1);
      const stamper = new Worker(
        `const { workerData } = require('node:worker_threads');
        const seq = new Int32Array(workerData, 0, 1), at = new BigInt64Array(workerData, 8, 1);
        let i = 0;
        const stamp = () => {
          Atomics.store(at, 0, process.hrtime.bigint());
          Atomics.store(seq, 0, ++i);
          if (i < ${samples}) setTimeout(stamp, 1);
        };
        setTimeout(stamp, 50);`,
        { eval: true, workerData: sab },
      );
      const store = new Map();
      const piece = (i) => {
        const text = `2stamp\0{"at":"123456789012345","i":${i}}\u0001`;
        const k = text.indexOf('\0', 1);
        store.set(text.slice(1, k), JSON.parse(text.slice(k + 1, text.indexOf('\u0001'))));
      };
      const lats = new Float64Array(samples);
      const cold = new Float64Array(samples);
      let last = 0;
      let n = 0;
      const end = Date.now() + 30000;
      let polls = 0;
      while (last < samples && ((++polls & 4095) !== 0 || Date.now() < end)) {
        const s = Atomics.load(seq, 0);
        if (s === last) continue;
        const seen = now();
        lats[n] = Number(seen - Atomics.load(at, 0)) / 1000;
        piece(s);
        cold[n++] = Number(now() - seen) / 1000;
        last = s;
      }
      await stamper.terminate();
      const warm = new Float64Array(samples);
      for (let i = 0; i < samples; i++) {
        const t = now();
        piece(i);
        warm[i] = Number(now() - t) / 1000;
      }
      // p50 and p99 (typed arrays sort by value).
      const both = (a) => (a.sort(), [percentile(a, 0.5), percentile(a, 0.99)]);
      const [p50, p99] = both(lats.subarray(0, n));
      return { seen: n, samples, p50, p99, cold: both(cold.subarray(0, n)), warm: both(warm) };
    },
    readLoop: async ({ seconds }) => {
      let reads = 0;
      const end = Date.now() + seconds * 1000;
      let v;
      while (Date.now() < end) {
        for (let i = 0; i < 10000; i++) v = psc.get(`w${i & 1023}`);
        reads += 10000;
        await tick();
      }
      const finalAt = Date.now() + 2000;
      let stale = true;
      while (Date.now() < finalAt) {
        if (psc.get('w-final') === 'done') {
          stale = false;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return { reads, stale, v: v === undefined ? 0 : 1 };
    },
    // `rate`: sets per second (batches of 64 on a timer), or 0 for as fast as A can.
    writeLoop: async ({ seconds, rate }) => {
      const t0 = Date.now();
      const end = t0 + seconds * 1000;
      let i = 0;
      while (Date.now() < end) {
        await psc.set(`w${i++ & 1023}`, entry(i));
        if ((i & 63) !== 0) continue;
        const ahead = rate ? t0 + (i * 1000) / rate - Date.now() : 0;
        await (ahead > 0 ? new Promise((r) => setTimeout(r, ahead)) : tick());
      }
      await psc.set('w-final', 'done');
      return i;
    },
    // With the RSS split by mapping: the shared log (a memfd), other anonymous memory (the
    // V8 heap's committed pages are part of it; the rest is malloc: native indexes, freed
    // JSON glibc kept) and files.
    memUsage: () => {
      global.gc();
      const m = process.memoryUsage();
      const by = { ring: 0, anon: 0, file: 0 };
      let into = 'anon';
      for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
        const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
        if (head) into = head[1].startsWith('/memfd:') ? 'ring' : head[1].startsWith('/') ? 'file' : 'anon';
        else if (line.startsWith('Rss:')) by[into] += Number(line.split(/\s+/)[1]) * 1024;
      }
      return { rss: m.rss, heap: m.heapUsed, heapCommitted: m.heapTotal, external: m.external, ...by };
    },
    // ~1 KB of JSON per entry, alova-shaped ([data, expireTs]).
    fillBig: async ({ n }) => {
      let bytes = 0;
      for (let i = 0; i < n; i += 1000) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 1000); j++) {
          const value = [{ id: j, name: `item ${j}`, rows: Array.from({ length: 19 }, (_, k) => ({ k, sku: `sku-${j}-${k}`, price: k * 1.25, ok: true })) }, Date.now() + 3600e3];
          bytes += JSON.stringify(value).length;
          batch.push(psc.set(`m${j}`, value));
        }
        await Promise.all(batch);
        await tick();
      }
      return bytes;
    },
    readAll: async ({ n }) => {
      for (let i = 0; i < n; i++) while (psc.get(`m${i}`) === undefined) await new Promise((r) => setTimeout(r, 5));
    },
    flood: async ({ seconds, tag, me }) => {
      const end = Date.now() + seconds * 1000;
      let n = 0;
      while (Date.now() < end) {
        const batch = [];
        for (let i = 0; i < 256; i++) batch.push(psc.set(`${tag}-${me}-${n++ & 1023}`, n));
        await Promise.all(batch);
        await tick();
      }
      floods.set(tag, n);
      await psc.set(`${tag}-marker-${me}`, true);
    },
    floodCount: ({ tag }) => floods.get(tag),
    waitMarkers: async ({ tag, n }) => {
      for (let i = 0; i < n; i++) while (psc.get(`${tag}-marker-${i}`) !== true) await new Promise((r) => setTimeout(r, 1));
    },
    fill: async ({ n }) => {
      await psc.clear();
      const all = [];
      for (let i = 0; i < n; i++) all.push(psc.set(`$a.1["GET","/users/${i}",{},null,{}]`, entry(i)));
      await Promise.all(all);
    },
    waitCount: async ({ n }) => {
      while (count() < n) await new Promise((r) => setTimeout(r, 5));
    },
    initTime: async () => {
      const n = Number(process.env.PSC_LATE);
      // Polled every millisecond rather than spun: a spinning main thread would take the
      // CPU from the transport on a 2-core machine.
      while (count() < n) await new Promise((r) => setTimeout(r, 1));
      if (process.env.PSC_DEBUG) console.error('init phases (ms): connected', Number(tConnected - t0) / 1e6, 'total', Number(now() - t0) / 1e6);
      return Number(now() - t0) / 1e6;
    },
  };
  process.on('message', async (m) => {
    try {
      process.send({ rid: m.rid, result: await handlers[m.op](m) });
    } catch (err) {
      process.send({ rid: m.rid, error: String(err && err.stack) });
    }
  });
  process.send({ online: true });
}
