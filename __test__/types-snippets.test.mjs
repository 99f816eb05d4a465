// alova's documented server snippets compile under `strict` against our types exactly as
// against alova's own: the same files, compiled with the entries mapped to ours and to
// alova's packages (alova, alova/fetch, alova/server, @alova/psc), in the module setting
// alova's own types need (CommonJS, node10 resolution), and against ours with nodenext too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const config = (name) => fileURLToPath(new URL(`./types/tsconfig.${name}.json`, import.meta.url));

async function tsc(...args) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, ...args], { timeout: 120_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    return { code: err.code, out: `${err.stdout}${err.stderr}` };
  }
}

for (const [name, what] of [
  ['snippets-alova', "alova 3.5.5's own types"],
  ['snippets-node10', 'our types (CommonJS, node10 resolution)'],
  ['snippets', 'our types (nodenext, through package.json exports)'],
]) {
  test(`the snippets compile under strict against ${what}`, async () => {
    const { code, out } = await tsc('-p', config(name));
    assert.equal(out.trim(), '');
    assert.equal(code, 0);
  });
}

test('the check can fail: a RedisStorageAdapter whose clear() resolves a number is no AlovaGlobalCacheAdapter', async () => {
  const probe = fileURLToPath(new URL('./types/snippets/must-fail.ts', import.meta.url));
  const { code, out } = await tsc('--strict', '--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10', '--types', 'node', probe);
  assert.notEqual(code, 0);
  assert.match(out, /must-fail\.ts.*TS2322/s);
});
