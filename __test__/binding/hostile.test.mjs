// Every native export, called with hostile arguments (non-finite and out-of-range numbers,
// huge and invalid strings, wrong types, throwing getters, foreign receivers) in a child
// process per export: every child must exit normally, nothing may panic, and everything
// thrown must be an Error with a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const binding = require('../../binding.js');
const child = fileURLToPath(new URL('../fixtures/hostile/child.cjs', import.meta.url));

/** Every callable the binding exports: functions, classes, their static and instance members. */
function nativeExports() {
  const names = [];
  for (const [name, value] of Object.entries(binding)) {
    if (typeof value !== 'function') continue; // constants such as `__napiBindingTarget`
    names.push(name);
    const proto = value.prototype ? Object.getOwnPropertyNames(value.prototype).filter((m) => m !== 'constructor') : [];
    const statics = Object.getOwnPropertyNames(value).filter((m) => {
      const d = Object.getOwnPropertyDescriptor(value, m);
      return m !== 'prototype' && typeof d.value === 'function';
    });
    for (const m of statics) names.push(`${name}.${m}`);
    for (const m of proto) names.push(`${name}#${m}`);
  }
  return names.sort();
}

function run(target) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const targets = Object.entries(binding)
  .filter(([, v]) => typeof v === 'function')
  .map(([k]) => k);

const covered = [];

for (const target of targets) {
  test(`hostile arguments: ${target}`, async () => {
    const r = await run(target);
    assert.equal(r.signal, null, `${target}: killed by ${r.signal}\n${r.stderr.slice(-2000)}`);
    assert.equal(r.code, 0, `${target}: exit ${r.code}\n${r.stderr.slice(-2000)}`);
    // Only the export that exists to panic may: every other panic is a missing validation.
    if (target !== 'checkPanicConvention') {
      assert.doesNotMatch(r.stderr, /panicked/, `${target}: a panic reached the boundary\n${r.stderr.slice(-2000)}`);
    }
    const report = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.deepEqual(report.bad, [], `${target}: errors without a code`);
    assert.ok(report.calls > 50, `${target}: only ${report.calls} calls`);
    covered.push(...report.covered);
  });
}

test('the hostile calls covered every native export', () => {
  assert.deepEqual([...covered].sort(), nativeExports());
});
