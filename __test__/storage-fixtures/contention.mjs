// Runs several lock-child processes against one resource and returns their hold periods.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./lock-child.mjs', import.meta.url));

export function spawnLocker(kind, config, resource, hold, die = false) {
  const args = [child, kind, JSON.stringify(config), resource, String(hold)];
  if (die) args.push('die');
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function output(proc) {
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const [code] = await once(proc, 'exit');
  if (code !== 0) throw new Error(`lock child exited with ${code}: ${err}`);
  return JSON.parse(out);
}

/** Hold periods of `n` processes that each lock `resource`, hold it `hold` ms and unlock it. */
export async function contend(kind, config, resource, { n = 5, hold = 50 } = {}) {
  const procs = Array.from({ length: n }, () => spawnLocker(kind, config, resource, hold));
  const periods = await Promise.all(procs.map(output));
  return periods.sort((a, b) => a.start - b.start);
}

/** The first overlap of two hold periods, or null. */
export function overlap(periods) {
  for (let i = 1; i < periods.length; i++) {
    if (periods[i].start < periods[i - 1].end) return [periods[i - 1], periods[i]];
  }
  return null;
}
