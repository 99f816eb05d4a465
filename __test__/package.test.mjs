// Every public entry loads through both module systems, and native errors carry their code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entries = ['', '/fetch', '/server', '/psc', '/storage-redis', '/storage-file'];

for (const sub of entries) {
  test(`@alova/native${sub} loads with require() and import`, async () => {
    const cjs = require(`@alova/native${sub}`);
    const esm = await import(`@alova/native${sub}`);
    assert.ok(cjs);
    assert.equal(esm.default, cjs, 'ESM and CJS share one module state');
  });
}

test('native errors carry a stable ERR_ALOVA_* code', () => {
  const binding = require('../binding.js');
  assert.throws(() => binding.checkErrorConvention('bad input'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'ERR_ALOVA_INVALID_ARG');
    assert.equal(e.message, 'bad input');
    return true;
  });
});

test('AlovaError has alova’s name and an optional code', () => {
  const { AlovaError } = require('../lib/errors.js');
  const e = new AlovaError('store is required', 'Captcha');
  assert.equal(String(e), '[alova/Captcha]: store is required');
  assert.equal(new AlovaError('x', '', 'ERR_ALOVA_IO').code, 'ERR_ALOVA_IO');
});
