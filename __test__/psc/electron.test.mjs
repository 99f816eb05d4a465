// Electron transport across real processes: renderers are child processes whose fake
// ipcRenderer crosses to this process's fake ipcMain (see fixtures/psc/electron-fake.cjs).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createElectronPSCSynchronizer } from '@alova/native/psc';
import { drive } from '../fixtures/psc/driver.mjs';
import { startHttpServer } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const { createIpcMain } = require('../fixtures/psc/electron-fake.cjs');
const RENDERER = fileURLToPath(new URL('../fixtures/psc/renderer.cjs', import.meta.url));
let hits = 0;
const origin = await startHttpServer((req, res) => {
  hits++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ url: req.url, n: hits }));
});
const ipcMain = createIpcMain();
const received = [];
ipcMain.on('alova-ipc-to-main', (event, payload) => received.push({ from: event.sender.id, type: payload.type }));
createElectronPSCSynchronizer(ipcMain);
const renderers = [];
async function renderer(alovaId) {
  const child = fork(RENDERER, [], { env: { ...process.env, ALOVA_ID: String(alovaId), ORIGIN: origin.url } });
  const wc = ipcMain.connect(child);
  const r = drive(child);
  r.wc = wc;
  await r.online;
  renderers.push(r);
  return r;
}
after(async () => {
  await Promise.all(renderers.map((r) => r.kill()));
  await origin.close();
});
const until = async (fn, timeout = 10000) => {
  const end = Date.now() + timeout;
  while (!(await fn())) {
    if (Date.now() > end) assert.fail('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('renderers of one alova id share a cached response across processes; another id does not', async () => {
  const [a, b, c] = await Promise.all([renderer(1), renderer(1), renderer(2)]);
  const data = await a.call('fetch');
  await until(async () => JSON.stringify(await b.call('cached')) === JSON.stringify(data));
  const before = hits;
  assert.deepEqual(await b.call('fetch'), data);
  assert.equal(hits, before, 'b was served from the shared cache');
  assert.equal(await c.call('cached'), undefined);
  // A renderer started later receives the state from the main process.
  const late = await renderer(1);
  await until(async () => JSON.stringify(await late.call('cached')) === JSON.stringify(data));
});

test('createElectronPSCSynchronizer: a second call has no effect', async () => {
  const other = createIpcMain();
  createElectronPSCSynchronizer(other);
  assert.equal(other.listenerCount('alova-ipc-to-main'), 0);
});

test('set returns a promise; the main process then receives init and set from that renderer', async () => {
  const r = await renderer(3);
  assert.equal(await r.call('set', { key: 'k', value: 123 }), 'promise');
  await until(() => received.filter((m) => m.from === r.wc.id).length >= 2);
  assert.deepEqual(
    received.filter((m) => m.from === r.wc.id).map((m) => m.type),
    ['init', 'set'],
  );
  const peer = renderers[0];
  await until(async () => (await peer.call('get', { key: 'k' })) === 123);
});
