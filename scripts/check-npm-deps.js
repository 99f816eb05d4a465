'use strict';
// Fails when a `dependencies`/`devDependencies` entry of package.json is used nowhere: not
// imported or required by a tracked source file, and (for a package with commands) its
// command not run by a script. `@types/x` counts as used when `x` is (`node` when any Node
// built-in is imported).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && fs.existsSync(path.join(root, f)));
const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');

const CODE = /\.(c|m)?(j|t)sx?$/;
const SPECIFIER = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
const imported = new Set();
for (const f of files.filter((f) => CODE.test(f))) {
  for (const [, spec] of read(f).matchAll(SPECIFIER)) {
    if (spec.startsWith('node:')) imported.add('node');
    if (spec.startsWith('.') || spec.startsWith('/')) continue;
    const parts = spec.split('/');
    imported.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
}

// Where commands run: package.json scripts, shell scripts, CI workflows, code spawning them.
const commandText = [
  ...Object.values(pkg.scripts || {}),
  ...files.filter((f) => /(\.sh|\.ya?ml|^\.ci\/run)$/.test(f) || CODE.test(f)).map(read),
].join('\n');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function commandUsed(name) {
  let bin;
  try {
    bin = JSON.parse(read(path.join('node_modules', name, 'package.json'))).bin;
  } catch {
    return false; // not installed: only an import can show it is used
  }
  const names = typeof bin === 'string' ? [name.split('/').pop()] : Object.keys(bin || {});
  return names.some((b) => new RegExp(`(^|[\\s"'\`(])${escape(b)}(?=[\\s"'\`)]|$)`, 'm').test(commandText));
}

const unused = declared.filter((name) => {
  const types = /^@types\/(.+)$/.exec(name);
  const target = types ? types[1].replace(/^(.+)__(.+)$/, '@$1/$2') : name;
  return !imported.has(target) && !imported.has(name) && !commandUsed(name);
});

if (unused.length) {
  console.error(`package.json declares dependencies nothing uses: ${unused.join(', ')}`);
  process.exit(1);
}
console.log(`npm dependencies: all ${declared.length} used`);
