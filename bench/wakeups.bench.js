'use strict';
// Round trips one at a time and 64 at a time through the native fetch adapter and the native
// Redis adapter: wall and CPU per operation, and how often each thread went to sleep per
// operation (voluntary context switches, from /proc; Linux only). At 1 in flight every sleep
// is a wake-up the round trip waits for: the JS thread sleeps once (for the reply), the
// engine's I/O thread up to twice (for the submit, for the reply).
const fs = require('node:fs');
const os = require('node:os');
const { startOrigin } = require('./lib/origin');
const nativeFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');

const OPS = Number(process.env.BENCH_OPS || 3000);

/** Voluntary context switches and CPU µs by thread kind: the JS thread, each engine thread. */
function threads() {
  const out = {};
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const comm = fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim();
      const status = fs.readFileSync(`/proc/self/task/${t}/status`, 'utf8');
      const key = comm.startsWith('alova') ? comm : t === String(process.pid) ? 'js' : null;
      if (!key) continue;
      out[key] = (out[key] || 0) + Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

async function run(label, fn, concurrency) {
  for (let i = 0; i < 200; i++) await fn();
  const before = threads();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let left = OPS;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await fn();
  }));
  const wall = Number(process.hrtime.bigint() - t0) / OPS / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = threads();
  const sleeps = Object.keys(after)
    .filter((k) => k === 'js' || after[k] !== before[k])
    .map((k) => `${k} ${((after[k] - (before[k] || 0)) / OPS).toFixed(2)}`)
    .join(', ');
  console.log(`| ${label} | ${concurrency} | ${wall.toFixed(1)} | ${((cpu.user + cpu.system) / OPS).toFixed(1)} | ${sleeps} |`);
}

async function main() {
  if (process.platform !== 'linux') return console.log('wakeups: Linux only (reads /proc)');
  console.log(`\n## wake-ups per round trip (${os.cpus().length} cpus, loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  console.log('| round trip | in flight | wall µs/op | cpu µs/op | sleeps per op by thread |');
  console.log('|---|---|---|---|---|');
  const origin = await startOrigin();
  const adapter = nativeFetch();
  const url = `${origin.url}/json?size=200`;
  const get = () => adapter({ url, type: 'GET', data: undefined, headers: {} }, { config: {} }).response().then((r) => r.json());
  for (const c of [1, 64]) await run('HTTP GET 200 B + json()', get, c);
  origin.close();

  const { startRedis } = await import('../__test__/helpers/servers.mjs');
  const redis = await startRedis();
  const l2 = new RedisStorageAdapter({ port: redis.port });
  await l2.set('entry', [Array.from({ length: 28 }, (_, id) => ({ id, name: 'alova', ok: true })), Date.now() + 3_600_000]);
  // Distinct keys at 64 in flight, so that concurrent reads are not shared.
  for (let i = 0; i < 64; i++) await l2.set(`entry${i}`, [{ i }, Date.now() + 3_600_000]);
  await run('Redis adapter get, 1 KB entry', () => l2.get('entry'), 1);
  let n = 0;
  await run('Redis adapter get, 64 keys', () => l2.get(`entry${n++ % 64}`), 64);
  l2.close();
  await redis.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
