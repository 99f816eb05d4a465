// alova's documented server snippets compile under `strict` against our types exactly as
// against alova's own: the same files, compiled with the entries mapped to ours and to
// alova's packages (alova, alova/fetch, alova/server, @alova/psc), in the module setting
// alova's own types need (CommonJS, node10 resolution), and against ours with nodenext too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const config = (name) => fileURLToPath(new URL(`./tsconfig.${name}.json`, import.meta.url));

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
  const probe = fileURLToPath(new URL('./snippets/must-fail.ts', import.meta.url));
  const { code, out } = await tsc('--strict', '--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10', '--types', 'node', probe);
  assert.notEqual(code, 0);
  assert.match(out, /must-fail\.ts.*TS2322/s);
});

// A user's project resolves the package by name: `exports` under node16, nodenext and bundler,
// `typesVersions` under node10 (which ignores `exports`). Each entry must resolve to its file.
const ENTRY_PROBE = `import { createAlova, type AlovaGenerics } from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import { createRateLimiter } from '@alova/native/server';
import { createPSCAdapter, NodeSyncAdapter } from '@alova/native/psc';
import RedisStorageAdapter from '@alova/native/storage-redis';
import FileStorageAdapter from '@alova/native/storage-file';

export const alova = createAlova({ requestAdapter: adapterFetch(), l2Cache: new RedisStorageAdapter() });
export const limiter = createRateLimiter({ storage: new FileStorageAdapter({ directory: '/tmp' }) });
export const psc = createPSCAdapter(NodeSyncAdapter());
export type G = AlovaGenerics;
`;

for (const [mode, file, args] of [
  ['node10', 'probe.ts', ['--module', 'commonjs', '--moduleResolution', 'node10', '--esModuleInterop']],
  ['node16', 'probe.ts', ['--module', 'node16', '--moduleResolution', 'node16']],
  ['nodenext (an ES module importing)', 'probe.mts', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
  ['bundler', 'probe.ts', ['--module', 'esnext', '--moduleResolution', 'bundler', '--esModuleInterop']],
]) {
  test(`every entry's types resolve by package name under moduleResolution ${mode}`, async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-native-types-'));
    try {
      fs.mkdirSync(path.join(dir, 'node_modules', '@alova'), { recursive: true });
      fs.symlinkSync(root, path.join(dir, 'node_modules', '@alova', 'native'), 'dir');
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "app", "private": true }');
      fs.writeFileSync(path.join(dir, file), ENTRY_PROBE);
      const types = ['--typeRoots', path.join(root, 'node_modules', '@types'), '--types', 'node'];
      const { code, out } = await tsc('--strict', '--noEmit', '--target', 'es2022', '--listFiles', ...types, ...args, path.join(dir, file));
      assert.equal(code, 0, out);
      const listed = out.split('\n').map((f) => path.relative(root, fs.realpathSync(f.trim() || dir)));
      for (const d of ['index.d.ts', ...['fetch', 'server', 'psc', 'storage-redis', 'storage-file'].map((e) => `types/${e}.d.ts`)]) {
        assert.ok(listed.includes(d), `${d} is what the entry resolves to`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
