'use strict';
// Which prebuilt addon this machine needs, named the way the platform packages and the
// napi loader (binding.js) name it. One rule shared by the loader's error and the installer.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');

/** `gnu` or `musl` on Linux (as the napi loader decides it), otherwise null. */
function libc() {
  if (process.platform !== 'linux') return null;
  try {
    if (fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')) return 'musl';
  } catch {
    // No ldd: ask the running Node which libc it was linked against.
  }
  const header = process.report && process.report.getReport().header;
  return header && header.glibcVersionRuntime ? 'gnu' : 'musl';
}

/** `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ... */
function platformId() {
  const abi = process.platform === 'linux' ? `-${libc()}` : process.platform === 'win32' ? '-msvc' : '';
  return `${process.platform}-${process.arch}${abi}`;
}

/** The platform ids a prebuilt package is published for (from the package's own list). */
function publishedIds() {
  return Object.keys(pkg.optionalDependencies || {}).map((name) => name.slice(`${pkg.name}-`.length));
}

module.exports = {
  root,
  libc,
  platformId,
  publishedIds,
  packageName: (id = platformId()) => `${pkg.name}-${id}`,
  localFile: (id = platformId()) => `${pkg.napi.binaryName}.${id}.node`,
};
