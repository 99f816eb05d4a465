// File locks under contention from real processes: every increment made under the lock
// survives (a lock just released is retried, never deleted as stale; two processes that see
// a stale lock never both take it), and `lock()` only ever rejects with ELOCKED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const FileStorageAdapter = require('@alova/native/storage-file');
const worker = fileURLToPath(new URL('../fixtures/storage-file/lock-worker.mjs', import.meta.url));

function runWorker(mode, dir, n) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [worker, mode, dir, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`worker exit ${code}`))));
  });
}

async function contend(mode, processes, each) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-lock-'));
  try {
    const reports = await Promise.all(Array.from({ length: processes }, () => runWorker(mode, dir, each)));
    const errors = reports.flatMap((r) => r.errors);
    const total =
      mode === 'atomize'
        ? await new FileStorageAdapter({ directory: dir }).get('counter')
        : Number(fs.readFileSync(path.join(dir, 'counter.txt'), 'utf8'));
    return { total, errors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (let run = 1; run <= 3; run++) {
  test(`4 processes × 30 locked increments end at 120 (run ${run})`, async () => {
    const { total, errors } = await contend('locker', 4, 30);
    assert.deepEqual(errors, []);
    assert.equal(total, 120);
  });
}

for (let run = 1; run <= 2; run++) {
  test(`6 processes × 25 atomized read-increment-writes end at 150 (run ${run})`, async () => {
    const { total, errors } = await contend('atomize', 6, 25);
    assert.deepEqual(errors, []);
    assert.equal(total, 150);
  });
}

test('lockers that find the same stale lock at once never both take it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-lock-'));
  try {
    const { FileLocker } = require('../../lib/storage-file/locker.js');
    const lockers = Array.from({ length: 8 }, () => new FileLocker(dir, { stale: 2000 }));
    // One lock per "process": the module-level table of held locks is per process, so each
    // round stages a stale lock and lets independent lockers race for it.
    for (let round = 0; round < 10; round++) {
      const { lockDir } = lockers[0].paths('r');
      fs.mkdirSync(lockDir, { recursive: true });
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lockDir, old, old);
      const outcomes = await Promise.allSettled(lockers.map((l) => l.acquire(lockDir)));
      const won = outcomes.filter((o) => o.status === 'fulfilled').length;
      const reasons = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.code);
      assert.equal(won, 1, `round ${round}: ${won} lockers took the stale lock`);
      assert.ok(reasons.every((c) => c === 'ELOCKED'), `round ${round}: ${reasons}`);
      await lockers[0].unlock('r');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
