'use strict';
// Runs every benchmark file (bench/*.bench.js) in turn, each in its own process, or only the
// ones named on the command line: `npm run bench -- http core`.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const only = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => !only.length || only.includes(f.replace('.bench.js', '')));
for (const f of files) {
  console.log(`\n# ${f}`);
  execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, f)], { stdio: 'inherit' });
}
