// Every public entry loads through both module systems, and native errors carry their code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const binding = require('../../binding.js');
  assert.throws(() => new binding.HttpClient({ connections: 0 }, () => {}), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'ERR_ALOVA_INVALID_ARG');
    assert.match(e.message, /^`connections` must be/);
    return true;
  });
});

test('AlovaError has alova’s name and an optional code', () => {
  const { AlovaError } = require('../../lib/errors.js');
  const e = new AlovaError('store is required', 'Captcha');
  assert.equal(String(e), '[alova/Captcha]: store is required');
  assert.equal(new AlovaError('x', '', 'ERR_ALOVA_IO').code, 'ERR_ALOVA_IO');
});

// What `npm pack` ships: the docs users are pointed to, the license, the types and the loader;
// no binaries (they come in the platform packages) and no tests.
test('the tarball carries LICENSE, README, COMPATIBILITY.md, types and loader, and no binaries', () => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
  for (const f of ['LICENSE', 'README.md', 'COMPATIBILITY.md', 'binding.js', 'binding.d.ts', 'lib/native.js', 'scripts/platform.js']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  // Every file the exports map, typesVersions and main point to.
  const pkg = require('../../package.json');
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.typesVersions['*']).flat()];
  for (const target of Object.values(pkg.exports)) targets.push(...(typeof target === 'string' ? [target] : Object.values(target)));
  for (const f of targets.map((t) => path.normalize(t))) assert.ok(files.includes(f), `${f} is packed`);
  // The root holds only the top-level entry; the subpath entries are served from lib/ and types/.
  const rootFiles = files.filter((f) => !f.includes('/') && /\.(m?js|d\.ts)$/.test(f)).sort();
  assert.deepEqual(rootFiles, ['binding.d.ts', 'binding.js', 'index.d.ts', 'index.js']);
  // Rust sources ship for --build-from-source; Rust tests do not.
  assert.ok(files.includes('Cargo.lock') && files.includes('src/lib.rs') && files.includes('crates/core/src/lib.rs'));
  const unwanted = files.filter((f) => /\.node$|^target\/|^__test__\/|^bench\/|^npm\/|^\.github\/|tests?(\.rs|\/)/.test(f));
  assert.deepEqual(unwanted, []);
  assert.match(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'), /^MIT License/);
});

// The napi CLI (which names the platforms) runs on Node >= 20.
const oldNode = Number(process.versions.node.split('.')[0]) < 20 && 'the napi CLI needs Node 20';

test('one platform package per napi target, listed as optionalDependencies at the package version', { skip: oldNode }, async () => {
  const { parseTriple } = await import('@napi-rs/cli');
  const pkg = require('../../package.json');
  const ids = pkg.napi.targets.map((t) => parseTriple(t));
  assert.deepEqual(
    pkg.optionalDependencies,
    Object.fromEntries(ids.map(({ platformArchABI }) => [`${pkg.name}-${platformArchABI}`, pkg.version])),
  );
  for (const { platformArchABI: id, platform, arch, abi } of ids) {
    const sub = require(`../../npm/${id}/package.json`);
    const binary = `${pkg.napi.binaryName}.${id}.node`;
    assert.equal(sub.name, `${pkg.name}-${id}`);
    assert.equal(sub.version, pkg.version);
    assert.equal(sub.main, binary);
    assert.deepEqual(sub.files, [binary]);
    assert.deepEqual(sub.os, [platform]);
    assert.deepEqual(sub.cpu, [arch]);
    // npm skips a package whose libc (glibc or musl) differs from the machine's.
    assert.deepEqual(sub.libc, platform === 'linux' ? [abi === 'gnu' ? 'glibc' : abi] : undefined);
    assert.equal(sub.license, pkg.license);
  }
});

test('the loader names this machine’s platform as the platform packages do', () => {
  const platform = require('../../scripts/platform.js');
  const id = platform.platformId();
  assert.match(id, new RegExp(`^${process.platform}-${process.arch}`));
  // This checkout loads the addon built beside binding.js, under the name napi gave it.
  assert.ok(fs.existsSync(path.join(platform.root, platform.localFile(id))), platform.localFile(id));
});
