// A service written for alova runs on @alova/native by changing its imports only: the demo
// service is run on both packages and must print the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the demo service prints the same on alova 3.5.5 and on @alova/native', async () => {
  const source = fs.readFileSync(path.join(root, 'examples', 'demo.js'), 'utf8');
  const onAlova = source
    .replace("require('@alova/native/fetch')", "require('alova/fetch')")
    .replace("require('@alova/native')", "require('alova')");
  assert.notEqual(onAlova, source, 'the demo imports @alova/native');
  // Inside the repository so that `alova` resolves from its node_modules.
  const dir = fs.mkdtempSync(path.join(root, 'examples', '.dropin-'));
  const alovaFile = path.join(dir, 'service.js');
  fs.writeFileSync(alovaFile, onAlova);
  try {
    const [ours, theirs] = await Promise.all([
      run(process.execPath, [path.join(root, 'examples', 'demo.js')]),
      run(process.execPath, [alovaFile]),
    ]);
    assert.ok(ours.stdout.split('\n').length > 5, ours.stdout);
    assert.equal(ours.stdout, theirs.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
