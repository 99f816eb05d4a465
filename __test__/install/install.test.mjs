// The package as users get it: published with the platform package built by this run to a
// local registry, then installed into empty apps on a PATH without cargo or rustc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { npm, startRegistry } from '../helpers/registry.mjs';

const require = createRequire(import.meta.url);
const platform = require('../../scripts/platform.js');
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(root, '__test__', 'fixtures', 'install');
const pkg = require('../../package.json');

// Only this platform's package is built by the test run (`npm run build`).
const id = 'linux-x64-gnu';
const skip = platform.platformId() !== id && `the prebuilt made here is ${id}`;

const hasTool = (dir) => ['cargo', 'rustc'].some((t) => fs.existsSync(path.join(dir, t)));
/** The environment of a user without Rust, and without the npm settings of the running npm. */
const userEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !k.startsWith('ALOVA_'))),
  PATH: process.env.PATH.split(path.delimiter).filter((d) => d && !hasTool(d)).join(path.delimiter),
};

let tmp;
let registry;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-native-install-'));
  registry = await startRegistry(tmp);
  const publish = (target) => {
    const r = npm(['publish', target, '--userconfig', registry.npmrc], { cwd: tmp, env: userEnv });
    assert.equal(r.status, 0, r.stderr);
  };
  // The platform package: its manifest from npm/ and the addon this run built.
  const platformDir = path.join(tmp, `pkg-${id}`);
  fs.mkdirSync(platformDir);
  for (const f of ['package.json', 'README.md']) fs.copyFileSync(path.join(root, 'npm', id, f), path.join(platformDir, f));
  fs.copyFileSync(path.join(root, platform.localFile(id)), path.join(platformDir, platform.localFile(id)));
  publish(platformDir);
  // The main package exactly as `npm pack` makes it.
  const packed = npm(['pack', '--json', '--pack-destination', tmp], { cwd: root, env: userEnv });
  assert.equal(packed.status, 0, packed.stderr);
  publish(path.join(tmp, JSON.parse(packed.stdout)[0].filename));
});

after(async () => {
  if (registry) await registry.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function app(name) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

/** `npm install @alova/native` from the local registry; returns the result and seconds taken. */
function install(dir, extra = [], env = {}) {
  const args = ['install', pkg.name, '--userconfig', registry.npmrc, '--cache', path.join(dir, '.npm-cache'), ...extra];
  const started = process.hrtime.bigint();
  const r = npm(args, { cwd: dir, env: { ...userEnv, ...env } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...r, seconds };
}

const node = (dir, args) => spawnSync(process.execPath, args, { cwd: dir, env: userEnv, encoding: 'utf8' });

function assertWorks(dir) {
  const installed = path.join(dir, 'node_modules', '@alova');
  assert.deepEqual(fs.readdirSync(installed).sort(), ['native', `native-${id}`], 'only this platform’s package');
  const own = fs.readdirSync(path.join(installed, 'native'));
  assert.ok(!own.includes('target') && !own.some((f) => f.endsWith('.node')), `nothing built in place: ${own}`);

  // Run from inside the app, so that the package resolves from its node_modules.
  fs.copyFileSync(path.join(fixtures, 'check-entries.cjs'), path.join(dir, 'check-entries.cjs'));
  const check = node(dir, ['check-entries.cjs']);
  assert.equal(check.status, 0, check.stderr);
  const report = JSON.parse(check.stdout);
  assert.equal(report.loaded.length, 6);
  assert.equal(report.nativeVersion, pkg.version);
  assert.ok(report.resolved.startsWith(path.join(dir, 'node_modules')), report.resolved);

  fs.copyFileSync(path.join(root, 'examples', 'demo.js'), path.join(dir, 'demo.js'));
  const demo = node(dir, ['demo.js']);
  assert.equal(demo.status, 0, demo.stderr);
  assert.match(demo.stdout, /second call served from cache: true same data: true/);
  assert.match(demo.stdout, /cached after invalidate: undefined/);
}

test('npm install @alova/native without a Rust toolchain takes the prebuilt package', { skip }, () => {
  assert.equal(spawnSync('cargo', ['--version'], { env: userEnv }).error?.code, 'ENOENT', 'cargo is off PATH');
  const dir = app('plain');
  const r = install(dir);
  assert.equal(r.status, 0, r.stderr);
  console.log(`# install from the local registry: ${r.seconds.toFixed(1)} s`);
  assert.ok(r.seconds < 30, `install took ${r.seconds} s`);
  assertWorks(dir);
});

test('the same install with --ignore-scripts works: nothing needs an install script', { skip }, () => {
  const dir = app('ignore-scripts');
  const r = install(dir, ['--ignore-scripts']);
  assert.equal(r.status, 0, r.stderr);
  assertWorks(dir);
});

test('without its platform package the addon is missing with a coded error that says what to do', { skip }, () => {
  const dir = app('omit-optional');
  const r = install(dir, ['--omit=optional']);
  assert.equal(r.status, 0, r.stderr);
  const load = node(dir, ['-e', "try { require('@alova/native') } catch (e) { console.log(JSON.stringify({ code: e.code, name: e.name, message: e.message })) }"]);
  const err = JSON.parse(load.stdout);
  assert.equal(err.code, 'ERR_ALOVA_NATIVE_MISSING');
  assert.equal(err.name, '[alova]');
  assert.match(err.message, new RegExp(`no native addon for ${id}`));
  assert.match(err.message, new RegExp(`@alova/native-${id}`));
  assert.match(err.message, /--build-from-source/);
  assert.match(err.message, /rustup\.rs/);

  // Asking for a build from source without cargo fails with what to install, not a stack.
  const rebuild = npm(['rebuild', pkg.name, '--build-from-source', '--userconfig', registry.npmrc], { cwd: dir, env: userEnv });
  assert.notEqual(rebuild.status, 0);
  assert.match(rebuild.stderr, /needs Rust's cargo on PATH/);
  assert.match(rebuild.stderr, /rustup\.rs/);
  assert.doesNotMatch(rebuild.stderr, /ENOENT|at .*\(node:/);
});

test('--build-from-source builds with cargo into CARGO_TARGET_DIR and loads that build', { skip }, () => {
  const dir = app('from-source');
  assert.equal(install(dir, ['--ignore-scripts']).status, 0);
  // The repository's own target dir: the dependencies are already compiled there.
  const targetDir = path.join(root, 'target');
  const env = { ...userEnv, PATH: process.env.PATH, CARGO_TARGET_DIR: targetDir };
  const started = Date.now();
  const r = npm(['rebuild', pkg.name, '--build-from-source', '--userconfig', registry.npmrc], { cwd: dir, env });
  assert.equal(r.status, 0, r.stderr);
  console.log(`# rebuild from source (warm dependencies): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const own = path.join(dir, 'node_modules', pkg.name);
  assert.ok(fs.existsSync(path.join(own, platform.localFile(id))), 'the build sits beside binding.js');
  assert.ok(!fs.existsSync(path.join(own, 'target')), 'nothing built inside the package');
  // binding.js prefers the build beside it over the platform package.
  const load = node(dir, ['-e', "require('@alova/native'); console.log(Object.keys(require.cache).find((f) => f.endsWith('.node')))"]);
  assert.equal(load.status, 0, load.stderr);
  assert.equal(load.stdout.trim(), path.join(own, platform.localFile(id)));
});
