// Every entry's ESM twin exports exactly the CommonJS module's names, bound to the same values,
// and is what scripts/esm-twins.js generates from them (so a new export cannot be forgotten).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { entries } = require('../../scripts/esm-twins.js');
const pkg = require('../../package.json');

test('every subpath of exports except package.json has an ESM twin', () => {
  const served = Object.keys(pkg.exports).filter((s) => s !== './package.json');
  assert.deepEqual(
    entries().map((e) => e.subpath),
    served,
  );
});

for (const { subpath } of entries()) {
  const name = `@alova/native${subpath.slice(1)}`;
  test(`${name}: import gives the same names and values as require`, async () => {
    const cjs = require(name);
    const esm = await import(name);
    assert.equal(esm.default, cjs, 'one module state');
    const named = Object.keys(esm).filter((n) => n !== 'default').sort();
    assert.deepEqual(named, Object.keys(cjs).filter((n) => n !== 'default').sort());
    for (const n of named) assert.equal(esm[n], cjs[n], n);
  });
}

test('the committed twins are the generated ones', () => {
  const r = spawnSync(process.execPath, [require.resolve('../../scripts/esm-twins.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
