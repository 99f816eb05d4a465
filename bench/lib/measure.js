'use strict';
// Runs `fn` with a fixed concurrency for a fixed time and reports throughput, client CPU per
// operation and latency percentiles. Absolute numbers drift on a shared machine, so every
// benchmark prints rows measured in the same run and the ratios between them.

async function measure(name, fn, { concurrency = 1, seconds = 3, warmup = 0.5 } = {}) {
  await runFor(fn, concurrency, warmup * 1000, null);
  const lat = [];
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const ops = await runFor(fn, concurrency, seconds * 1000, lat);
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const pct = (p) => (lat.length ? percentile(lat, p) / 1000 : 0);
  return {
    name,
    concurrency,
    ops,
    opsPerSec: ops / (wallNs / 1e9),
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    p50us: pct(0.5),
    p99us: pct(0.99),
  };
}

/** The value at fraction `p` of `sorted` (ascending, not empty). */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function runFor(fn, concurrency, ms, lat) {
  const end = Date.now() + ms;
  let ops = 0;
  async function worker() {
    while (Date.now() < end) {
      const s = lat ? process.hrtime.bigint() : 0n;
      await fn();
      if (lat) lat.push(Number(process.hrtime.bigint() - s));
      ops++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ops;
}

/** Prints rows as a table with the ratio of each row's throughput to `baseline` rows. */
function report(title, rows, baselines = []) {
  console.log(`\n## ${title}`);
  const head = ['name', 'conc', 'ops/s', 'cpu µs/op', 'p50 µs', 'p99 µs', ...baselines.map((b) => `× ${b}`)];
  const lines = rows.map((r) => [
    r.name,
    String(r.concurrency),
    r.opsPerSec.toFixed(0),
    r.cpuUsPerOp.toFixed(1),
    r.p50us.toFixed(1),
    r.p99us.toFixed(1),
    ...baselines.map((b) => {
      const base = rows.find((x) => x.name === b && x.concurrency === r.concurrency);
      return base ? (r.opsPerSec / base.opsPerSec).toFixed(2) : '-';
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols) => '| ' + cols.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(fmt(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(fmt(l));
}

module.exports = { measure, report, percentile };
