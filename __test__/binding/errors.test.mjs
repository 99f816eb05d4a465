// The error contract: one list of codes (lib/codes.js, equal to the engine's `Code` enum by a
// Rust test, and to the README's table here), and every path from the addon carries the code
// as data: sync throws, promise rejections and `{ code, message }` values alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { startHttpServer, startRedis, freePort } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);
const binding = require('../../binding.js');
const { codes } = require('../../lib/codes.js');
const { RedisStorageAdapter } = require('../../lib/storage-redis/index.js');

const read = (file) => fs.readFileSync(new URL(file, root), 'utf8');

/** A code the addon gave: a known one, and the message carries no code prefix. */
function assertCoded(err, code) {
  assert.ok(err instanceof Error, `not an Error: ${err}`);
  assert.equal(err.code, code);
  assert.doesNotMatch(err.message, /ERR_ALOVA_/);
}

test("the README's error table lists every code, and only those", () => {
  const readme = read('README.md');
  const start = readme.indexOf('| code | meaning |');
  assert.ok(start > 0, 'the table is there');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  const rows = [...table.matchAll(/^\| `(ERR_ALOVA_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...rows].sort(), Object.values(codes).sort());
  assert.equal(new Set(rows).size, rows.length, 'a code listed twice');
});

test('every code is written once in lib (lib/codes.js), and nothing parses one out of a message', () => {
  const files = fs.readdirSync(new URL('lib/', root), { recursive: true }).filter((f) => f.endsWith('.js') && f !== 'codes.js');
  for (const f of files) {
    assert.doesNotMatch(read(`lib/${f}`), /ERR_ALOVA_|codeFromMessage/, `lib/${f}`);
  }
});

test('a sync call throws an Error whose code is data', () => {
  assert.throws(() => new binding.HttpClient({ connections: 0 }, () => {}), (e) => {
    assertCoded(e, codes.INVALID_ARG);
    assert.match(e.message, /connections/);
    return true;
  });
});

test('a promise from the addon rejects with an Error whose code is data', async () => {
  const port = await freePort();
  const client = binding.RedisClient.create({ port, connectTimeout: 50, commandTimeout: 200 }, () => {});
  const err = await client.command(['PING']).then(
    () => assert.fail('resolved'),
    (e) => e,
  );
  assert.ok([codes.REDIS_UNAVAILABLE, codes.TIMEOUT].includes(err.code), err.code);
  assert.doesNotMatch(err.message, /ERR_ALOVA_/);
  client.close();
  await assert.rejects(client.eval('return 1', [], []), (e) => {
    assertCoded(e, codes.REDIS_UNAVAILABLE);
    assert.equal(e.message, 'Redis client is closed');
    return true;
  });
});

test('Redis unavailable and a Redis error reply have their own codes', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const client = binding.RedisClient.create({ port: redis.port }, () => {});
  t.after(() => client.close());
  assert.equal(await client.command(['PING']), '"PONG"');
  await assert.rejects(client.command(['NOSUCHCOMMAND']), (e) => {
    assertCoded(e, codes.REDIS);
    return true;
  });
  await redis.stop();
  await assert.rejects(client.command(['PING']), (e) => {
    assert.ok([codes.REDIS_UNAVAILABLE, codes.TIMEOUT].includes(e.code), e.code);
    return true;
  });
});

test('a pipeline answered through take() carries { code, message }, and keeps the process up until then', async () => {
  let ready;
  const answered = new Promise((resolve) => (ready = resolve));
  const client = binding.RedisClient.create({ port: await freePort() }, () => ready(client.take()));
  client.close();
  client.submit(1, [['GET', 'k']]);
  const [{ id, failure, replies }] = await answered;
  assert.equal(id, 1);
  assert.equal(replies, undefined);
  assert.deepEqual({ ...failure }, { code: codes.REDIS_UNAVAILABLE, message: 'Redis client is closed' });
});

test("the adapter's breaker counts unavailability, not error replies", async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const adapter = new RedisStorageAdapter({ port: redis.port, failOpen: false, circuitBreaker: { threshold: 2, cooldown: 60_000 } });
  t.after(() => adapter.client.quit?.().catch(() => {}));
  for (let i = 0; i < 3; i++) await assert.rejects(adapter.eval('return redis.call("NOSUCHCOMMAND")', [], []), { code: codes.REDIS });
  assert.equal(adapter.health.state, 'closed');
  await redis.stop();
  for (let i = 0; i < 2; i++) await adapter.get('k').catch(() => {});
  assert.equal(adapter.health.state, 'open');
  await assert.rejects(adapter.get('k'), { code: codes.REDIS_UNAVAILABLE, name: '[alova/storage:redis]' });
});

test('a body read rejects with an Error whose code is data', async (t) => {
  // The connection drops in the middle of a chunked body.
  const srv = await startHttpServer((req, res) => {
    res.writeHead(200);
    res.write('x'.repeat(1024));
    setTimeout(() => res.socket.destroy(), 100);
  });
  t.after(() => srv.close());
  const stream = await new Promise((resolve, reject) => {
    const client = new binding.HttpClient({}, () => {
      const [, head, rest] = client.take(); // `id, head, body` or `id, null, failure`
      if (head !== null) resolve(rest);
      else reject(new Error(rest.message));
    });
    client.send(1, 'GET', `${srv.url}/`, [], null, 0, undefined);
  });
  assert.ok(await stream.read(), 'the first bytes');
  await assert.rejects(stream.read(), (e) => {
    assertCoded(e, codes.NETWORK);
    return true;
  });
});

test('test-only exports are built only with the test-hooks feature', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.doesNotMatch(pkg.scripts.build, /test-hooks/);
  assert.match(pkg.scripts['build:test'], /--features test-hooks/);
  assert.match(read('scripts/test.sh'), /npm run build:test/);
  const release = read('.github/workflows/release.yml');
  assert.match(release, /napi build/);
  assert.doesNotMatch(release, /test-hooks/);
  assert.match(read('src/lib.rs'), /#\[cfg\(feature = "test-hooks"\)\]\s*#\[napi[^\]]*\]\s*pub fn check_error_convention/);
  assert.match(read('src/lib.rs'), /#\[cfg\(feature = "test-hooks"\)\]\s*#\[napi[^\]]*\]\s*pub fn check_panic_convention/);
});
