'use strict';
// `npm install` hook: use a prebuilt addon when one loads, otherwise build from source.
// From a git clone the napi CLI (a dev dependency) builds it; from the published tarball,
// where dev dependencies are absent, plain cargo does and the library is copied into place.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function loads() {
  try {
    require(path.join(root, 'binding.js'));
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

// Looked up on disk: the CLI's `exports` map hides its files from require.resolve.
function napiCli() {
  const cli = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  return fs.existsSync(cli) ? cli : null;
}

if (process.env.ALOVA_NATIVE_FORCE_BUILD !== '1' && fs.existsSync(path.join(root, 'binding.js')) && loads()) {
  process.exit(0);
}
const cli = napiCli();
if (cli) {
  run(process.execPath, [cli, 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts']);
} else {
  // Published package: binding.js ships; build the library and name it the way it looks for.
  run('cargo', ['build', '--release']);
  const ext = process.platform === 'win32' ? 'dll' : process.platform === 'darwin' ? 'dylib' : 'so';
  const lib = process.platform === 'win32' ? 'alova_native.dll' : `libalova_native.${ext}`;
  const abi = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : process.platform === 'win32' ? '-msvc' : '';
  const target = `alova-native.${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}${abi}.node`;
  fs.copyFileSync(path.join(root, 'target', 'release', lib), path.join(root, target));
}
if (!loads()) {
  console.error('@alova/native: the addon was built but does not load');
  process.exit(1);
}
