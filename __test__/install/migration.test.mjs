// A cluster service written for alova (fixtures/migration/service.ts) migrates by changing
// its import specifiers only: it compiles under `strict` against alova's types and ours, and
// a fixed script of requests gets the same answers from it on alova and on @alova/native
// (real redis-server, real loopback upstream, three real cluster workers), apart from the
// deliberate differences listed in COMPATIBILITY.md and named below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, readBody, startHttpServer, startRedis } from '../helpers/servers.mjs';

const run = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = path.join(root, '__test__', 'fixtures', 'migration');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** The import map of the migration: alova's specifiers and ours. */
const IMPORT_MAP = {
  alova: '@alova/native',
  'alova/fetch': '@alova/native/fetch',
  'alova/server': '@alova/native/server',
  '@alova/psc': '@alova/native/psc',
  '@alova/storage-redis': '@alova/native/storage-redis',
};

/** Rewrites the module specifiers of `import ... from '...'` and `require("...")` through `map`. */
function rewriteImports(code, map) {
  return code.replace(/(from |require\()(['"])([^'"]+)\2/g, (whole, lead, quote, spec) =>
    spec in map ? `${lead}${quote}${map[spec]}${quote}` : whole,
  );
}

/** Runs tsc with `args`; fails with its diagnostics. */
async function compile(args, what) {
  const { stdout } = await run(process.execPath, [tsc, ...args]).catch((e) => assert.fail(`tsc --strict ${what}:\n${e.stdout}${e.stderr}`));
  assert.equal(stdout, '');
}

/** The loopback upstream the service calls: counters make cache hits and retries visible. */
function upstreamHandler() {
  const count = { catalog: 0, profile: 0, flaky: 0, ping: 0 };
  const sms = new Map();
  const handler = async (req, res) => {
    const url = new URL(req.url, 'http://upstream');
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/catalog':
        return json(200, { items: ['tea', 'cake'], hits: ++count.catalog });
      case '/profile':
        return json(200, { items: ['ann'], hits: ++count.profile });
      case '/flaky':
        // Fails twice, then answers: the service's retry gets through on its third attempt.
        return ++count.flaky <= 2 ? json(503, { error: 'busy' }) : json(200, { attempt: count.flaky });
      case '/ping':
        return json(200, { attempt: ++count.ping });
      case '/sms': {
        const { phone, code } = JSON.parse((await readBody(req)).toString());
        sms.set(phone, code);
        return json(200, { queued: true });
      }
      default:
        return json(404, {});
    }
  };
  return { handler, sms };
}

/** One request on a fresh connection (so the cluster spreads them over its workers). */
function call(port, method, pathAndQuery) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathAndQuery, agent: false }, async (res) => {
      const text = (await readBody(res)).toString();
      resolve({ status: res.statusCode, body: JSON.parse(text), worker: Number(res.headers['x-worker']) });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts the compiled service under cluster, drives the script, returns the recorded steps. */
async function drive(serviceFile) {
  const redis = await startRedis();
  const { handler, sms } = upstreamHandler();
  const upstream = await startHttpServer(handler);
  const port = await freePort();
  const child = spawn(process.execPath, [serviceFile], {
    cwd: root,
    env: {
      ...process.env,
      UPSTREAM_URL: upstream.url,
      REDIS_PORT: String(redis.port),
      PORT: String(port),
      SHARED_CACHE_ID: `migration-${process.pid}-${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const workers = new Set();
  const steps = [];
  const step = async (name, method, url) => {
    const r = await call(port, method, url);
    workers.add(r.worker);
    steps.push({ name, status: r.status, body: r.body });
    return r;
  };
  try {
    for (let i = 0; !stdout.includes('ready'); i++) {
      assert.ok(i < 200 && child.exitCode === null, `service did not start\n${stdout}\n${stderr}`);
      await sleep(50);
    }
    await step('health: the Redis client', 'GET', '/health');
    await step('visits (the app\'s own Redis key)', 'GET', '/visits');
    await step('catalog (L1 + Redis L2)', 'GET', '/catalog');
    await step('catalog again: cached', 'GET', '/catalog');
    await step('flaky upstream through retry', 'GET', '/flaky');
    for (let i = 1; i <= 4; i++) await step(`quota ${i} of 3`, 'GET', '/quota?user=ann');
    await step('captcha send', 'POST', '/captcha/send?phone=555');
    const code = sms.get('555');
    await step('captcha resend too early', 'POST', '/captcha/send?phone=555');
    await step('captcha verify wrong code', 'POST', `/captcha/verify?phone=555&code=${code === '0000' ? '1111' : '0000'}`);

    // A value cached in one worker's L1 (the process-shared cache) is a hit in another one.
    const first = await step('profile', 'GET', '/profile');
    // The shared cache reaches the other workers asynchronously (through the primary's hub).
    await sleep(500);
    let other;
    for (let i = 0; i < 9 && !other; i++) {
      const r = await call(port, 'GET', '/profile');
      workers.add(r.worker);
      if (r.worker !== first.worker) other = r;
    }
    assert.ok(other, 'no request reached a second worker');
    steps.push({ name: 'profile from another worker', status: other.status, body: other.body });

    await step('invalidateCache()', 'POST', '/cache/invalidate');
    await sleep(500);
    await step('quota record after invalidateCache()', 'GET', '/quota/state?user=ann');
    await step('captcha resend after invalidateCache(): still too early', 'POST', '/captcha/send?phone=555');
    await step('captcha verify after invalidateCache()', 'POST', `/captcha/verify?phone=555&code=${code}`);
    await step('captcha verify again: used up', 'POST', `/captcha/verify?phone=555&code=${code}`);
    await step('profile after invalidateCache()', 'GET', '/profile');
    await step('catalog after invalidateCache()', 'GET', '/catalog');
    await step('visits after invalidateCache()', 'GET', '/visits');
    // A graceful stop: every worker quits its Redis client, then the primary exits.
    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');
    steps.push({ name: 'stop', status: exitCode, body: stdout.split('\n').filter((l) => l.includes('redis quit')).sort() });
    return { steps, stderr, workers };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // The workers exit with their primary; make sure of it before the next run.
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await upstream.close();
    await redis.stop();
  }
}

test('the migrated cluster service compiles under strict and answers as it does on alova', async () => {
  const outDir = fs.mkdtempSync(path.join(fixture, '.build-'));
  try {
    // 1. The one source compiles under `strict` with the same settings against alova's types
    // and, through `paths`, ours; and with its specifiers rewritten, it compiles as a user's
    // project resolves @alova/native (`nodenext`, the package's `exports`). alova's own types
    // need `node10` there (COMPATIBILITY.md, "types").
    const migratedSource = path.join(outDir, 'migrated', 'service.ts');
    fs.mkdirSync(path.dirname(migratedSource));
    const migratedText = rewriteImports(fs.readFileSync(path.join(fixture, 'service.ts'), 'utf8'), IMPORT_MAP);
    assert.equal(migratedText.match(/from '@alova\/native[^']*'/g).length, 5);
    fs.writeFileSync(migratedSource, migratedText);
    const nodenext = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    await Promise.all([
      ...['native', 'alova'].map((side) =>
        compile(['-p', path.join(fixture, `tsconfig.${side}.json`), '--outDir', path.join(outDir, side)], `against the ${side} types`),
      ),
      // rootDir: the project sits inside the package it imports by name.
      compile([...nodenext, '--rootDir', path.dirname(migratedSource), migratedSource], 'under nodenext'),
    ]);
    const [ours, theirs] = ['native', 'alova'].map((side) => fs.readFileSync(path.join(outDir, side, 'service.js'), 'utf8'));
    assert.equal(ours, theirs, 'one source, one compiled service');

    // 2. The service on @alova/native: only the specifiers change.
    const migrated = rewriteImports(ours, IMPORT_MAP);
    assert.equal(migrated.match(/require\("@alova\/native[^"]*"\)/g).length, 5);
    const oursFile = path.join(outDir, 'service.native.js');
    fs.writeFileSync(oursFile, migrated);
    // @alova/storage-redis is not served by the registry reachable here: the alova side runs
    // with a stand-in of it over ioredis (fixtures/migration/alova-storage-redis).
    const alovaFile = path.join(outDir, 'service.alova.js');
    fs.writeFileSync(alovaFile, rewriteImports(theirs, { '@alova/storage-redis': path.join(fixture, 'alova-storage-redis', 'index.js') }));

    const native = await drive(oursFile);
    const alova = await drive(alovaFile);
    const byName = (steps) => Object.fromEntries(steps.map((s) => [s.name, { status: s.status, body: s.body }]));
    const got = byName(native.steps);

    // What the script must get on @alova/native.
    assert.ok(native.workers.size >= 2, 'requests reached several workers');
    assert.doesNotMatch(native.stderr, /redis:|Error/, native.stderr);
    assert.deepEqual(got, {
      'health: the Redis client': { status: 200, body: { redis: 'ready', ping: 'PONG' } },
      "visits (the app's own Redis key)": { status: 200, body: { visits: 1 } },
      'catalog (L1 + Redis L2)': { status: 200, body: { items: ['tea', 'cake'], hits: 1 } },
      'catalog again: cached': { status: 200, body: { items: ['tea', 'cake'], hits: 1 } },
      'flaky upstream through retry': { status: 200, body: { attempt: 3 } },
      'quota 1 of 3': { status: 200, body: { attempt: 1 } },
      'quota 2 of 3': { status: 200, body: { attempt: 2 } },
      'quota 3 of 3': { status: 200, body: { attempt: 3 } },
      'quota 4 of 3': { status: 429, body: { remainingPoints: 0 } },
      'captcha send': { status: 200, body: { sent: true } },
      'captcha resend too early': { status: 429, body: { sent: false, error: '[alova/Captcha]', message: 'Cannot send captcha yet, please wait' } },
      'captcha verify wrong code': { status: 200, body: { valid: false } },
      profile: { status: 200, body: { items: ['ann'], hits: 1 } },
      'profile from another worker': { status: 200, body: { items: ['ann'], hits: 1 } },
      'invalidateCache()': { status: 200, body: { invalidated: true } },
      'quota record after invalidateCache()': { status: 200, body: { consumedPoints: 4 } },
      'captcha resend after invalidateCache(): still too early': {
        status: 429,
        body: { sent: false, error: '[alova/Captcha]', message: 'Cannot send captcha yet, please wait' },
      },
      'captcha verify after invalidateCache()': { status: 200, body: { valid: true } },
      'captcha verify again: used up': { status: 200, body: { valid: false } },
      'profile after invalidateCache()': { status: 200, body: { items: ['ann'], hits: 2 } },
      'catalog after invalidateCache()': { status: 200, body: { items: ['tea', 'cake'], hits: 2 } },
      'visits after invalidateCache()': { status: 200, body: { visits: 2 } },
      stop: { status: 0, body: [1, 2, 3].map((id) => `worker ${id} redis quit: OK`) },
    });

    // 3. The same script on alova answers the same, but for one listed difference
    // (COMPATIBILITY.md, "storage-redis | clear()"): alova's Redis adapter refuses `clear()`,
    // so after `invalidateCache()` the catalog comes back from Redis (hits 1, and alova logs
    // `[adapter:redis]redis cache clear is not allowed`), where ours fetches it again.
    const expectedOnAlova = structuredClone(got);
    expectedOnAlova['catalog after invalidateCache()'].body.hits = 1;
    assert.deepEqual(byName(alova.steps), expectedOnAlova);
    assert.match(alova.stderr, /redis cache clear is not allowed/);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
