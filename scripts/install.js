'use strict';
// `npm install` hook. From a registry there is nothing to build: the platform package npm
// picked (an optional dependency) carries the addon, and this only says so if none loads.
// Building from source happens when asked (ALOVA_NATIVE_BUILD_FROM_SOURCE=1, or
// `npm rebuild @alova/native --build-from-source`), and in a development checkout, where a
// missing addon is built so that `npm install && npm test` works on a fresh clone.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const platform = require('./platform.js');

const { root } = platform;
const pkg = require('../package.json');

const isDevCheckout = () => ['.git', 'Cargo.toml', path.join('src', 'lib.rs')].every((f) => fs.existsSync(path.join(root, f)));

function fromSourceRequested() {
  const env = process.env.ALOVA_NATIVE_BUILD_FROM_SOURCE;
  if (env === '1' || env === 'true') return true;
  // npm hands `--build-from-source[=<names>]` to scripts as npm_config_build_from_source.
  const flag = process.env.npm_config_build_from_source;
  return flag === 'true' || (!!flag && flag.split(',').includes(pkg.name));
}

/** Why the addon does not load in a fresh process, or null when it does. */
function loadError() {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', path.join(root, 'lib', 'native.js')], {
    encoding: 'utf8',
  });
  if (r.status === 0) return null;
  const line = (r.stderr || '').split('\n').find((l) => l.includes('ERR_ALOVA_NATIVE_MISSING') || l.startsWith('Error'));
  return (line || r.stderr || `exit ${r.status}`).trim();
}

function fail(message) {
  console.error(`@alova/native: ${message}`);
  process.exit(1);
}

function cargoMissing() {
  const probe = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  return !!probe.error;
}

// Looked up on disk: the CLI's `exports` map hides its files from require.resolve.
function napiCli() {
  const cli = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  return fs.existsSync(cli) ? cli : null;
}

/** The development build: the napi CLI also writes binding.js and binding.d.ts. */
function buildWithNapi(cli) {
  const args = [cli, 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts'];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail('the build failed (see above).');
}

/**
 * The installed package's build: plain cargo (binding.js ships), honouring CARGO_TARGET_DIR.
 * Cargo names the library it wrote; it is copied to where binding.js looks. A target dir
 * inside the package is removed afterwards (hundreds of MB that nothing reads again).
 */
function buildWithCargo() {
  const ownTarget = !process.env.CARGO_TARGET_DIR;
  // An explicit --target, as the napi CLI passes, so that a shared CARGO_TARGET_DIR reuses
  // the dependencies a development build compiled.
  const host = /^host: (.+)$/m.exec(spawnSync('rustc', ['-vV'], { encoding: 'utf8' }).stdout || '');
  const target = host ? ['--target', host[1]] : [];
  const args = ['build', '--release', '--locked', '--lib', ...target, '--message-format=json-render-diagnostics'];
  const r = spawnSync('cargo', args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) fail('cargo build failed (see above).');
  const lib = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((m) => m.reason === 'compiler-artifact' && m.target.kind.includes('cdylib'))
    .flatMap((m) => m.filenames)
    .find((f) => /\.(so|dylib|dll)$/.test(f));
  if (!lib) fail('cargo build reported no library.');
  fs.copyFileSync(lib, path.join(root, platform.localFile()));
  if (ownTarget) fs.rmSync(path.join(root, 'target'), { recursive: true, force: true });
}

function buildFromSource() {
  const cli = isDevCheckout() && napiCli();
  if (cargoMissing()) {
    fail(
      `building from source needs Rust's cargo on PATH and it is not there. Install Rust ` +
        '(stable, https://rustup.rs) and a C compiler (gcc or clang; Xcode command line tools ' +
        'on macOS; Visual Studio Build Tools on Windows), then run the install again' +
        (isDevCheckout()
          ? '.'
          : `, or drop the build-from-source request to use the prebuilt ${platform.packageName()}.`),
    );
  }
  console.log(`@alova/native: building the addon for ${platform.platformId()} from source with cargo`);
  if (cli) buildWithNapi(cli);
  else buildWithCargo();
  const err = loadError();
  if (err) fail(`the addon was built but does not load: ${err}`);
}

if (fromSourceRequested()) {
  buildFromSource();
} else {
  const err = loadError();
  if (err && isDevCheckout()) buildFromSource();
  // Not fatal: the package installs, and the same coded error is thrown where it is required.
  else if (err) console.warn(`@alova/native: warning: ${err}`);
}
