// Size bounds at the native boundary: a string above its bound is refused with
// ERR_ALOVA_INVALID_ARG naming the argument, at the call that passed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpServer, freePort } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const binding = require('../../binding.js');

const KiB = 1024;
const MiB = 1024 * KiB;
const over = (n) => 'x'.repeat(n + 1);

function refused(name) {
  return (e) => {
    assert.equal(e.code, 'ERR_ALOVA_INVALID_ARG');
    assert.match(e.message, new RegExp(`^\`${name}\` is \\d+ bytes, above the limit of \\d+`));
    return true;
  };
}

/**
 * Sends one request through the raw client; resolves its failure, or `{ status }` (`take()`
 * gives `id, head, body` per response and `id, null, failure` per failure).
 */
function send(url, headers) {
  return new Promise((resolve) => {
    const client = new binding.HttpClient({}, () => {
      const [, head, rest] = client.take();
      resolve(head === null ? rest : { status: Number(head.slice(0, 3)) });
    });
    client.send(1, 'GET', url, headers, null, 0, undefined);
  });
}

test('a request URL above 1 MiB is refused naming `url`', async (t) => {
  const srv = await startHttpServer((req, res) => res.end('ok'));
  t.after(() => srv.close());
  const raw = await send(`${srv.url}/?q=${over(MiB)}`, []);
  refused('url')(raw);
  const ok = await send(`${srv.url}/?q=${'x'.repeat(4 * KiB)}`, []);
  assert.equal(ok.status, 200);
});

test('a header name above 64 KiB and a value above 1 MiB are refused by name', async (t) => {
  const srv = await startHttpServer((req, res) => res.end('ok'));
  t.after(() => srv.close());
  refused('header name')(await send(`${srv.url}/`, [over(64 * KiB), '1']));
  refused('header x-big')(await send(`${srv.url}/`, ['x-big', over(MiB)]));
});

test('Redis keys above 64 KiB are refused naming `keys` and `prefix`', async () => {
  const client = binding.RedisClient.create({ port: await freePort(), connectTimeout: 50 }, () => {});
  await assert.rejects(client.eval('return 1', [over(64 * KiB)], []), refused('keys'));
  await assert.rejects(client.clear(over(64 * KiB), []), refused('prefix'));
  await assert.rejects(client.clear('p:', [over(64 * KiB)]), refused('spaces'));
  client.close();
});

test('a shared-cache key above 64 KiB is refused naming `key`', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-bounds-'));
  fs.chmodSync(dir, 0o700);
  const sock = path.join(dir, 'hub.sock');
  const hub = binding.PscHub.start(sock, {});
  const link = binding.PscLink.connectHub(sock, {}, null);
  t.after(() => {
    link.stop();
    hub.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const replica = link.attach('bounds');
  assert.throws(() => replica.set(over(64 * KiB), '1'), refused('key'));
  assert.throws(() => replica.remove(over(64 * KiB)), refused('key'));
  replica.set('k', '1');
  assert.equal(replica.get('k'), '1');
});
