// Rolling deploy on one host: two real cluster primaries run a hub with the same id at once.
// Each primary's workers stay with their own primary's hub; other processes follow the
// newest; neither hub's stop() touches the other's files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forkChild, startPrimary } from '../fixtures/psc/driver.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psc-gen-'));
process.env.ALOVA_PSC_DIR = dir;
const procs = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const uniqueId = () => `gen-${process.pid}-${n++}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function primary(id, workers) {
  const pr = await startPrimary({ id, dir, workers });
  procs.push(pr.p);
  return pr;
}

/** `w`'s copy, once a marker written by `writer` after everything else has reached it. */
async function settled(writer, w, tag) {
  await writer.call('set', { key: `marker-${tag}`, value: tag });
  await w.call('waitFor', { key: `marker-${tag}`, value: tag });
  return w.call('dump');
}

test('a second primary with the same id starts; the generations never mix', async () => {
  const id = uniqueId();
  const link = path.join(dir, `${id}.sock`);
  const old = await primary(id, 2);
  await old.ws[0].call('set', { key: 'k', value: 'old' });
  await old.ws[0].call('set', { key: 'only-old', value: 1 });
  await old.ws[1].call('waitFor', { key: 'only-old', value: 1 });

  const neu = await primary(id, 2); // would fail with ERR_ALOVA_PSC if refused
  assert.equal(fs.readlinkSync(link), path.basename(neu.sock), 'the well-known name follows the newest hub');
  assert.ok(fs.statSync(old.sock).isSocket(), 'the old hub keeps its socket');
  await neu.ws[0].call('set', { key: 'k', value: 'new' });
  await neu.ws[0].call('set', { key: 'only-new', value: 2 });

  // New workers see only the new generation, old workers only the old one.
  const newCopy = await settled(neu.ws[0], neu.ws[1], 'n1');
  assert.equal(newCopy.k, 'new');
  assert.equal(newCopy['only-old'], undefined);
  await old.ws[0].call('set', { key: 'later-old', value: 3 });
  const oldCopy = await settled(old.ws[0], old.ws[1], 'o1');
  assert.equal(oldCopy.k, 'old');
  assert.equal(oldCopy['only-new'], undefined);
  assert.equal((await settled(neu.ws[0], neu.ws[1], 'n2'))['later-old'], undefined);

  // A worker the old primary forks now still joins the old hub (its snapshot is the old state).
  const lateOld = await old.add();
  await lateOld.call('waitFor', { key: 'later-old', value: 3 });
  assert.equal((await lateOld.call('dump'))['only-new'], undefined);
  // A process that is no primary's child follows the well-known name to the newest hub.
  const outsider = await forkChild({ PSC_ID: id });
  procs.push(outsider);
  await outsider.call('waitFor', { key: 'only-new', value: 2 });
  assert.equal((await outsider.call('dump'))['only-old'], undefined);

  // The old primary stops its hub: the new hub's socket and the name stay; its workers
  // keep serving their copy and do not move to the new hub.
  await old.p.call('stopHub');
  assert.equal(fs.existsSync(old.sock), false);
  assert.ok(fs.statSync(neu.sock).isSocket());
  assert.equal(fs.readlinkSync(link), path.basename(neu.sock));
  await sleep(300);
  assert.equal(await old.ws[0].call('connected'), false);
  assert.equal(await old.ws[1].call('get', { key: 'k' }), 'old');
  await old.ws[0].call('set', { key: 'after-old-stop', value: 4 });
  const afterStop = await settled(neu.ws[0], neu.ws[1], 'n3');
  assert.equal(afterStop['after-old-stop'], undefined);
  assert.equal(afterStop['only-old'], undefined);
  assert.equal((await outsider.call('dump'))['after-old-stop'], undefined);

  await neu.p.call('stopHub');
  assert.equal(fs.existsSync(neu.sock), false);
  assert.equal(fs.existsSync(link), false);
  await outsider.kill();
  await Promise.all([old.p.call('exit'), neu.p.call('exit')]);
});

test('the newer hub stopping first leaves the older one serving its workers', async () => {
  const id = uniqueId();
  const link = path.join(dir, `${id}.sock`);
  const old = await primary(id, 2);
  const neu = await primary(id, 1);
  await neu.p.call('stopHub');
  assert.equal(fs.existsSync(neu.sock), false);
  assert.equal(fs.existsSync(link), false, 'the name pointed at the stopped hub');
  assert.ok(fs.statSync(old.sock).isSocket(), 'the older hub keeps its socket');
  await old.ws[0].call('set', { key: 'still', value: 'served' });
  await old.ws[1].call('waitFor', { key: 'still', value: 'served' });
  assert.equal(await old.ws[1].call('connected'), true);
  await Promise.all([old.p.call('exit'), neu.p.call('exit')]);
});

test('a crashed primary\'s socket is swept by the next hub', async () => {
  const id = uniqueId();
  const dead = await primary(id, 0);
  await dead.p.kill();
  assert.ok(fs.existsSync(dead.sock), 'left behind by SIGKILL');
  const next = await primary(id, 1);
  assert.equal(fs.existsSync(dead.sock), false);
  await next.ws[0].call('set', { key: 'k', value: 1 });
  await next.p.call('exit');
});
