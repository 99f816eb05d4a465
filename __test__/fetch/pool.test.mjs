// Pool options of `adapterFetch()`, observed from the server's side: the sockets it accepts,
// when they close, the protocol negotiated; and the options refused at the call.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer } from '../helpers/servers.mjs';
import { loadCertificates } from '../helpers/fetch-tls.mjs';

/** A server that counts the sockets it accepts and the requests it serves at once. */
async function countingServer(delayMs = 0) {
  const stats = { sockets: 0, closed: 0, inFlight: 0, maxInFlight: 0 };
  const srv = await startHttpServer(async (req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (delayMs) await sleep(delayMs);
    stats.inFlight--;
    res.end('ok');
  });
  srv.server.on('connection', (s) => {
    stats.sockets++;
    s.on('close', () => stats.closed++);
  });
  return { ...srv, stats };
}

const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function serve(delayMs) {
  const s = await countingServer(delayMs);
  servers.push(s);
  return s;
}

const get = (adapter, url, config = {}) =>
  adapter({ url, type: 'GET', headers: {} }, { config }).response().then(async (r) => {
    await r.text();
    return r;
  });

test('`connections: 1` serves 10 concurrent requests over one socket, one at a time', async () => {
  const srv = await serve(20);
  const adapter = adapterFetch({ connections: 1 });
  const rs = await Promise.all(Array.from({ length: 10 }, () => get(adapter, srv.url + '/')));
  assert.deepEqual(rs.map((r) => r.status), Array(10).fill(200));
  assert.equal(srv.stats.sockets, 1);
  assert.equal(srv.stats.maxInFlight, 1);
});

test('`connections: 3` caps the sockets at 3; without it, concurrent requests open more', async () => {
  const capped = await serve(20);
  const adapter = adapterFetch({ connections: 3 });
  await Promise.all(Array.from({ length: 10 }, () => get(adapter, capped.url + '/')));
  assert.ok(capped.stats.sockets <= 3, `sockets: ${capped.stats.sockets}`);
  assert.equal(capped.stats.maxInFlight, 3);

  const free = await serve(20);
  await Promise.all(Array.from({ length: 10 }, () => get(adapterFetch(), free.url + '/')));
  assert.ok(free.stats.sockets > 3, `sockets: ${free.stats.sockets}`);
});

test('a streamed body holds its turn until it is read to the end or cancelled', async () => {
  // Chunked and large: handed over as a stream, not read whole by the engine.
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const srv = await startHttpServer((req, res) => {
    let left = 40;
    const more = () => {
      while (left-- > 0) if (!res.write(chunk)) return res.once('drain', more);
      res.end();
    };
    more();
  });
  servers.push(srv);
  const adapter = adapterFetch({ connections: 1 });
  const call = () => adapter({ url: srv.url + '/', type: 'GET', headers: {} }, { config: {} }).response();

  const first = await call();
  let secondDone = false;
  const second = call().then((r) => {
    secondDone = true;
    return r;
  });
  await sleep(200);
  assert.equal(secondDone, false, 'the second request ran while the first body was unread');
  assert.equal((await first.arrayBuffer()).byteLength, 40 * chunk.length);
  const r2 = await second;
  await r2.body.cancel();
  // The cancelled body gave its turn back.
  const r3 = await call();
  assert.equal((await r3.arrayBuffer()).byteLength, 40 * chunk.length);
});

test('`stats()` shows requests in flight and those waiting for their turn, down to 0 after', async () => {
  const srv = await serve(300);
  const adapter = adapterFetch({ connections: 1 });
  const all = Promise.all(Array.from({ length: 3 }, () => get(adapter, srv.url + '/')));
  await sleep(100);
  const during = adapter.stats();
  assert.equal(during.inFlight, 3);
  assert.equal(during.waiting, 2, 'one holds the only turn, two wait');
  await all;
  const { inFlight, waiting } = adapter.stats();
  assert.deepEqual({ inFlight, waiting }, { inFlight: 0, waiting: 0 });
  // A streamed body not yet read keeps its request in flight.
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const big = await startHttpServer((req, res) => {
    res.write(chunk);
    setTimeout(() => res.end(chunk), 50);
  });
  servers.push(big);
  const streaming = adapterFetch();
  const r = await streaming({ url: big.url + '/', type: 'GET', headers: {} }, { config: {} }).response();
  assert.equal(streaming.stats().inFlight, 1);
  await r.arrayBuffer();
  assert.equal(streaming.stats().inFlight, 0);
});

test('the limit is per origin: another origin is not held up by a busy one', async () => {
  const slow = await serve(1000);
  const fast = await serve(0);
  const adapter = adapterFetch({ connections: 1 });
  const pending = get(adapter, slow.url + '/');
  const started = Date.now();
  await get(adapter, fast.url + '/');
  assert.ok(Date.now() - started < 500, 'the other origin waited for the busy one');
  await pending;
});

test('`keepAlive: false` opens a socket per request; the default reuses one', async () => {
  const off = await serve();
  const noReuse = adapterFetch({ keepAlive: false });
  for (let i = 0; i < 5; i++) await get(noReuse, off.url + '/');
  assert.equal(off.stats.sockets, 5);

  const on = await serve();
  const reuse = adapterFetch();
  for (let i = 0; i < 5; i++) await get(reuse, on.url + '/');
  assert.equal(on.stats.sockets, 1);
});

test('`keepAliveTimeout` closes an idle socket after that many ms; the default keeps it', async () => {
  const short = await serve();
  await get(adapterFetch({ keepAliveTimeout: 200 }), short.url + '/');
  const started = Date.now();
  while (short.stats.closed === 0 && Date.now() - started < 3000) await sleep(20);
  assert.equal(short.stats.closed, 1, 'the idle socket was not closed');
  assert.ok(Date.now() - started >= 150, 'closed before the idle timeout');

  const long = await serve();
  const adapter = adapterFetch();
  await get(adapter, long.url + '/');
  await sleep(1000);
  assert.equal(long.stats.closed, 0);
});

test('`allowH2: false` speaks HTTP/1.1 to a server that offers h2', async () => {
  const certs = loadCertificates();
  const tls = http2.createSecureServer({ key: certs.key, cert: certs.cert, allowHTTP1: true }, (req, res) =>
    res.end(req.httpVersion),
  );
  const srv = await startHttpServer(null, { server: tls });
  servers.push(srv);
  const version = async (options) => {
    const r = await adapterFetch({ ca: certs.ca, ...options })({ url: srv.url + '/', type: 'GET', headers: {} }, { config: {} }).response();
    return r.text();
  };
  assert.equal(await version({}), '2.0');
  assert.equal(await version({ allowH2: true }), '2.0');
  assert.equal(await version({ allowH2: false }), '1.1');
});

/**
 * A loopback listener that never accepts: a child process listens with a backlog of 1 and
 * blocks, and fillers take the accept queue, so the kernel drops further SYNs.
 */
async function silentListener() {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(s.address().port + '\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  const fillers = [];
  // Connects until one hangs: from then on the queue is full.
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    const connected = await Promise.race([once(s, 'connect').then(() => true), sleep(300).then(() => false)]);
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    close() {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

test('`connectTimeout` fails a request whose connection is never accepted', async () => {
  const silent = await silentListener();
  try {
    const started = Date.now();
    const err = await get(adapterFetch({ connectTimeout: 300 }), silent.url).catch((e) => e);
    const elapsed = Date.now() - started;
    assert.equal(err.message, 'fetchError: network timeout');
    assert.equal(err.code, 'ERR_ALOVA_TIMEOUT');
    assert.ok(elapsed >= 250 && elapsed < 3000, `elapsed ${elapsed} ms`);

    // Without it, the same connection is still waiting when the request's timeout ends.
    const late = await get(adapterFetch(), silent.url, { timeout: 1500 }).catch((e) => e);
    assert.equal(late.code, 'ERR_ALOVA_TIMEOUT');
  } finally {
    silent.close();
  }
});

test('pool options out of range or of the wrong type are refused by name at adapterFetch()', () => {
  const bad = [
    ['connections', 0],
    ['connections', -1],
    ['connections', 1.5],
    ['connections', NaN],
    ['connections', Infinity],
    ['connections', 70000],
    ['connections', '4'],
    ['keepAliveTimeout', 0],
    ['keepAliveTimeout', NaN],
    ['keepAliveTimeout', Infinity],
    ['keepAliveTimeout', -5],
    ['keepAliveTimeout', '1000'],
    ['connectTimeout', 0],
    ['connectTimeout', Infinity],
    ['connectTimeout', 2 ** 40],
    ['connectTimeout', null],
    ['keepAlive', 'no'],
    ['keepAlive', 0],
    ['allowH2', 1],
    ['allowH2', null],
  ];
  for (const [name, value] of bad) {
    assert.throws(
      () => adapterFetch({ [name]: value }),
      (err) => err.name === '[alova/fetch]' && err.code === 'ERR_ALOVA_INVALID_ARG' && err.message.includes(`\`${name}\``),
      `${name}: ${String(value)}`,
    );
  }
  // In range: accepted.
  adapterFetch({ connections: 65535, keepAliveTimeout: 1, keepAlive: true, allowH2: false, connectTimeout: 10_000 });
});

test('an invalid `ca` fails at adapterFetch() with the fetch error shape', () => {
  assert.throws(
    () => adapterFetch({ ca: 'not a certificate' }),
    (err) => err.name === '[alova/fetch]' && err.code === 'ERR_ALOVA_INVALID_ARG',
  );
});

test('`stats()` counts requests, failures, body bytes and connections opened', async () => {
  const srv = await serve();
  const adapter = adapterFetch({ keepAlive: false });
  assert.deepEqual(adapter.stats(), { requests: 0, errors: 0, bytesReceived: 0, connectionsOpened: 0, inFlight: 0, waiting: 0 });
  for (let i = 0; i < 3; i++) await get(adapter, srv.url + '/');
  // A refused connection: a port nobody listens on any more.
  const closed = await countingServer();
  await closed.close();
  await get(adapter, closed.url + '/').catch(() => {});
  // An aborted request is not a failure of the engine.
  const hang = await startHttpServer(() => {});
  servers.push(hang);
  const handle = adapter({ url: hang.url + '/', type: 'GET', headers: {} }, { config: {} });
  setTimeout(() => handle.abort(), 100);
  await handle.response().catch(() => {});
  // The aborted request leaves the in-flight gauge when the engine drops it, just after.
  for (let i = 0; i < 100 && adapter.stats().inFlight > 0; i++) await sleep(10);
  assert.deepEqual(adapter.stats(), {
    requests: 5,
    errors: 1,
    bytesReceived: 3 * 'ok'.length,
    connectionsOpened: 4,
    inFlight: 0,
    waiting: 0,
  });
  assert.equal(srv.stats.sockets, 3);

  const reuse = adapterFetch();
  for (let i = 0; i < 3; i++) await get(reuse, srv.url + '/');
  assert.equal(reuse.stats().connectionsOpened, 1);
});
