// FileStorageAdapter and FileLocker on a real directory: alova's storage-file behaviours,
// any key stored inside the directory, atomic replacement, and locks across processes.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpServer } from '../helpers/servers.mjs';
import { contend, overlap, spawnLocker } from '../fixtures/storage/contention.mjs';

const require = createRequire(import.meta.url);
const FileStorageAdapter = require('@alova/native/storage-file');

describe('storage-file', () => {
  let root;
  let dir;
  let adapter;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-file-'));
    dir = path.join(root, 'store');
    adapter = new FileStorageAdapter({ directory: dir });
  });
  afterEach(() => adapter.clear());
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is the class in CommonJS (with default and __esModule) and the default export in ESM', async () => {
    assert.equal(FileStorageAdapter.default, FileStorageAdapter);
    assert.equal(FileStorageAdapter.__esModule, true);
    assert.equal((await import('@alova/native/storage-file')).default, FileStorageAdapter);
    assert.throws(() => new FileStorageAdapter({}), (e) => e.code === 'ERR_ALOVA_INVALID_ARG');
  });

  it('set/get/remove/clear as @alova/storage-file, creating the directory on set', async () => {
    const sub = new FileStorageAdapter({ directory: path.join(root, 'new', 'deeper') });
    await sub.set('test', { a: [1, 'b'] });
    assert.ok(fs.existsSync(path.join(root, 'new', 'deeper', 'test.json')));
    assert.deepEqual(await sub.get('test'), { a: [1, 'b'] });
    assert.equal(await sub.get('missing'), undefined);
    await sub.remove('test');
    assert.equal(await sub.get('test'), undefined);
    await sub.set('$a.x', 1);
    await sub.set('rlflx:x', [1, -1]);
    await sub.clear();
    assert.equal(await sub.get('$a.x'), undefined);
    assert.deepEqual(await sub.get('rlflx:x'), [1, -1], 'clear() removes cache entries only');
  });

  it('stores alova keys and hostile keys, all as files directly inside the directory', async () => {
    const keys = [
      '$a.1["GET","/unit-test",{},null,{}]',
      '../../escape',
      '/etc/passwd',
      'C:\\windows\\x',
      '..',
      '.',
      '',
      'a:b*c?d<e>f|g',
      'Case',
      'case',
      'x'.repeat(1000),
      '日本語/😀',
    ];
    const own = fs.mkdtempSync(path.join(root, 'own-'));
    const store = path.join(own, 'store');
    const a = new FileStorageAdapter({ directory: store });
    for (const k of keys) await a.set(k, [k]);
    for (const k of keys) assert.deepEqual(await a.get(k), [k], `key ${JSON.stringify(k)}`);
    const names = fs.readdirSync(store);
    assert.equal(names.length, keys.length, 'one file per key, no collisions');
    for (const n of names) {
      assert.ok(fs.statSync(path.join(store, n)).isFile());
      assert.ok(Buffer.byteLength(n) <= 255);
      assert.match(n, /^(%|([a-z0-9_~.-]|%[0-9A-F]{2})+)\.json$/);
    }
    assert.deepEqual(fs.readdirSync(own), ['store']);
    assert.equal(fs.existsSync(path.join(root, 'escape.json')), false);
  });

  it('100 concurrent sets of one key all resolve and the last one wins', async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => adapter.set('test', { count: i })));
    assert.deepEqual(await adapter.get('test'), { count: 99 });
    assert.deepEqual(fs.readdirSync(dir), ['test.json'], 'no temporary files left');
  });

  it('a reader in another process never sees a torn value while it is rewritten', async () => {
    const big = (i) => ({ i, fill: String(i % 10).repeat(200_000) });
    await adapter.set('atomic', big(0));
    const file = adapter.filePath('atomic');
    const reader = spawn(
      process.execPath,
      ['-e', `const fs=require('fs');let n=0,bad=0;const end=Date.now()+800;while(Date.now()<end){try{const v=JSON.parse(fs.readFileSync(${JSON.stringify(file)},'utf8'));if(v.fill.length!==200000||v.fill[0]!==String(v.i%10))bad++;n++}catch(e){bad++}}console.log(JSON.stringify({n,bad}))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    reader.stdout.on('data', (d) => (out += d));
    const exited = once(reader, 'exit');
    let i = 0;
    while (reader.exitCode === null) await adapter.set('atomic', big(++i));
    await exited;
    const { n, bad } = JSON.parse(out);
    assert.ok(n > 0 && i > 1);
    assert.equal(bad, 0);
  });

  it('get rejects on corrupt JSON; clear keeps dot files and subdirectories', async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '%24a.bad.json'), '{not json');
    await assert.rejects(adapter.get('$a.bad'), SyntaxError);
    fs.writeFileSync(path.join(dir, '.keep'), '');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    await adapter.clear();
    const left = fs.readdirSync(dir);
    assert.ok(left.includes('.keep') && left.includes('sub'), left.join());
    assert.ok(!left.some((f) => f.startsWith('%24a.')), 'no cache entry left');
    fs.rmSync(path.join(dir, 'sub'), { recursive: true });
    fs.rmSync(path.join(dir, '.keep'));
  });

  it('works as alova’s l2Cache in restore mode (alova 3.5.5)', async () => {
    const { createAlova } = require('alova');
    const adapterFetch = require('alova/fetch');
    let hits = 0;
    const origin = await startHttpServer((req, res) => res.end(JSON.stringify({ n: ++hits })));
    try {
      const mk = () => createAlova({ id: 'file', baseURL: origin.url, requestAdapter: adapterFetch(), l2Cache: adapter, cacheLogger: false, responded: (r) => r.json() });
      const first = await mk().Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } });
      assert.deepEqual(await mk().Get('/data', { cacheFor: { mode: 'restore', expire: 60_000 } }), first);
      assert.equal(hits, 1);
    } finally {
      await origin.close();
    }
  });

  describe('locker', () => {
    it('lock creates <dir>/<name>/<name>.lock and unlock removes it', async () => {
      const l = adapter.locker;
      assert.equal(adapter.locker, l);
      await l.lock('test-resource');
      assert.ok(fs.statSync(path.join(dir, 'test-resource', 'test-resource.lock')).isDirectory());
      await l.unlock('test-resource');
      assert.equal(fs.existsSync(path.join(dir, 'test-resource', 'test-resource.lock')), false);
    });

    it('a held resource rejects with ELOCKED, other resources are independent', async () => {
      const l = adapter.locker;
      await l.lock('r1');
      const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => l.lock('r1')));
      for (const a of attempts) {
        assert.equal(a.status, 'rejected');
        assert.equal(a.reason.code, 'ELOCKED');
        assert.equal(a.reason.message, 'Lock file is already being held');
      }
      await l.lock('r2');
      await assert.rejects(l.lock('r2'), { code: 'ELOCKED' });
      await l.unlock('r1');
      await l.unlock('r2');
      await l.lock(['r1', 'r2']);
      assert.ok(fs.existsSync(path.join(dir, 'r1-r2', 'r1-r2.lock')));
      await l.lock('r1');
      await l.unlock('r1');
      await l.unlock(['r1', 'r2']);
    });

    it('unlock: never-created resource is fine, a lock not held is an error with alova’s text', async () => {
      const l = adapter.locker;
      await l.unlock('nothing-here');
      await l.lock('once');
      await l.unlock('once');
      await assert.rejects(l.unlock('once'), (e) => {
        assert.equal(e.name, '[alova/storage:file]');
        assert.equal(e.message, 'Failed to release lock for resource "once": Error: Lock is not acquired/owned by you');
        return true;
      });
    });

    it('resource names with / and .. stay inside the directory', async () => {
      const l = adapter.locker;
      await l.lock('../../outside/x');
      assert.equal(fs.existsSync(path.join(root, 'outside')), false);
      assert.equal(fs.existsSync(path.join(root, '..', 'outside')), false);
      assert.ok(fs.readdirSync(dir).includes('%2E.%2F..%2Foutside%2Fx'));
      await l.unlock('../../outside/x');
    });

    it('a lock left by a dead process is taken over once stale', async () => {
      const config = { directory: dir, lockerOptions: { stale: 2000 } };
      const proc = spawnLocker('file', config, 'stale-res', 0, true);
      const [line] = await once(proc.stdout, 'data');
      assert.equal(String(line).trim(), 'locked');
      proc.kill('SIGKILL');
      await once(proc, 'exit');
      const l = new FileStorageAdapter(config).locker;
      await assert.rejects(l.lock('stale-res'), { code: 'ELOCKED' });
      await sleep(2100);
      await l.lock('stale-res');
      await l.unlock('stale-res');
    });

    it('a live holder keeps its lock past the stale time by refreshing it', async () => {
      const config = { directory: dir, lockerOptions: { stale: 2000, update: 1000 } };
      const a = new FileStorageAdapter(config).locker;
      await a.lock('fresh-res');
      await sleep(2600);
      const proc = spawnLocker('file', { directory: dir, lockerOptions: { stale: 2000 } }, 'fresh-res', 0);
      let err = '';
      proc.stderr.on('data', (d) => (err += d));
      const [code] = await once(proc, 'exit');
      assert.notEqual(code, 0);
      assert.match(err, /ELOCKED|already being held/);
      await a.unlock('fresh-res');
    });

    it('five processes contending for one resource hold it one after another', async () => {
      const config = { directory: dir, lockerOptions: { retries: { retries: 50, minTimeout: 100, maxTimeout: 100 } } };
      const periods = await contend('file', config, 'proc-res', { n: 5, hold: 50 });
      assert.equal(periods.length, 5);
      assert.equal(overlap(periods), null, JSON.stringify(periods));
    });
  });
});
