// The native engine next to Node's own fetch (undici) for the same requests: default headers,
// failure causes, TLS and proxy environment variables, and undici dispatchers (MockAgent).
import { createRequire } from 'node:module';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { MockAgent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import adapterFetch from '@alova/native/fetch';
import { createAlova } from '@alova/native';
import { startHttpServer, freePort } from '../helpers/servers.mjs';
import { loadCertificates } from '../helpers/fetch-tls.mjs';

const FETCH_ENTRY = createRequire(import.meta.url).resolve('@alova/native/fetch');
const CA_FILE = fileURLToPath(new URL('../fixtures/tls-ca.pem', import.meta.url));

let echo;
before(async () => {
  echo = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ via: 'origin', url: req.url, headers: req.headers }));
  });
});
after(() => echo.close());

const ours = (url, { type = 'GET', data, headers = {}, config = {}, use = adapterFetch() } = {}) =>
  use({ url, type, data, headers }, { config }).response();

/** Runs `fn`, with `vars` set in process.env, restoring it after. */
async function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('default user-agent and content-length: 0 on empty bodies, as Node fetch sends them', async () => {
  const pick = (h) => ({ ua: h['user-agent'], length: h['content-length'] });
  for (const type of ['GET', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH']) {
    const mine = (await (await ours(echo.url, { type })).json()).headers;
    const node = (await (await fetch(echo.url, { method: type })).json()).headers;
    assert.deepEqual(pick(mine), pick(node), type);
  }
  assert.deepEqual(pick((await (await ours(echo.url, { type: 'POST' })).json()).headers), { ua: 'node', length: '0' });
  const emptyString = (await (await ours(echo.url, { type: 'POST', data: '' })).json()).headers;
  assert.equal(emptyString['content-length'], '0');
  const own = (await (await ours(echo.url, { headers: { 'User-Agent': 'mine/1.0' } })).json()).headers;
  assert.equal(own['user-agent'], 'mine/1.0', "the caller's header wins");
});

test('GET/HEAD with a body: the TypeError of fetch, same message', async () => {
  const expected = await fetch(echo.url, { method: 'GET', body: 'x' }).catch((e) => e);
  assert.ok(expected instanceof TypeError);
  for (const type of ['GET', 'HEAD']) {
    const err = await ours(echo.url, { type, data: { a: 1 } }).catch((e) => e);
    assert.ok(err instanceof TypeError, type);
    assert.equal(err.message, expected.message);
  }
});

/** The fields of a fetch failure's cause that code inspects. */
async function causeOf(promise) {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e) => e,
  );
  assert.ok(err instanceof TypeError);
  assert.equal(err.message, 'fetch failed');
  const c = err.cause;
  const out = { name: c.name, message: c.message, code: c.code };
  for (const k of ['errno', 'syscall', 'address', 'port', 'hostname']) if (k in c) out[k] = c[k];
  return out;
}

test('failures carry the cause Node fetch gives: refused, reset, closed, unknown host, untrusted certificate', async () => {
  const port = await freePort();
  const certs = loadCertificates();
  const tls = await startHttpServer(null, {
    server: https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => res.end('secret')),
  });
  const refused = `http://127.0.0.1:${port}/`;
  const reset = net.createServer((s) => s.once('data', () => s.resetAndDestroy()));
  const closed = net.createServer((s) => s.once('data', () => s.end()));
  for (const s of [reset, closed]) {
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
  }
  try {
    const cases = {
      refused,
      reset: `http://127.0.0.1:${reset.address().port}/`,
      closed: `http://127.0.0.1:${closed.address().port}/`,
      unknown: 'http://no-such-host.invalid/',
      untrusted: tls.url + '/',
    };
    const got = {};
    for (const [name, url] of Object.entries(cases)) {
      const node = await causeOf(fetch(url));
      const mine = await causeOf(ours(url));
      assert.deepEqual(mine, node, name);
      got[name] = mine.code;
    }
    assert.deepEqual(got.refused, 'ECONNREFUSED');
    assert.deepEqual(got.reset, 'ECONNRESET');
    assert.deepEqual(got.closed, 'UND_ERR_SOCKET');
    assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(got.unknown), got.unknown);
    assert.equal(got.untrusted, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    reset.close();
    closed.close();
    await tls.close();
  }
});

/** A loopback server answering every request with `head` (its own bytes, as written). */
async function rawServer(head) {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(head));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

test('a redirect out of HTTP(S) (gopher:, ftp:, data:, file:) fails as Node fetch fails', async () => {
  for (const location of ['gopher://127.0.0.1/x', 'ftp://127.0.0.1/x', 'data:,hi', 'file:///etc/passwd']) {
    const srv = await rawServer(`HTTP/1.1 302 Found\r\nlocation: ${location}\r\ncontent-length: 0\r\n\r\n`);
    try {
      const node = await causeOf(fetch(srv.url));
      const mine = await causeOf(ours(srv.url));
      assert.deepEqual({ name: mine.name, message: mine.message }, { name: node.name, message: node.message }, location);
      assert.equal(mine.message, 'URL scheme must be a HTTP(S) scheme');
      const err = await ours(srv.url).catch((e) => e);
      assert.equal(err.code, 'ERR_ALOVA_NETWORK');
    } finally {
      srv.close();
    }
  }
});

/** A forward proxy: absolute-form requests for http, CONNECT tunnels for https. */
async function startProxy() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = http.request(req.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, { ...r.headers, 'x-proxied': '1' });
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req, sock, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url.split(':');
    const up = net.connect(Number(port), host, () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(sock);
      sock.pipe(up);
    });
    up.on('error', () => sock.destroy());
    sock.on('error', () => up.destroy());
  });
  const s = await startHttpServer(null, { server });
  return { ...s, seen };
}

test('HTTP(S)_PROXY is ignored unless NODE_USE_ENV_PROXY=1 (then NO_PROXY applies); an explicit proxy always applies', async () => {
  const proxy = await startProxy();
  const via = async (adapter, url = echo.url + '/p') => (await (await ours(url, { use: adapter })).json()).via;
  try {
    const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined };
    await withEnv({ ...env, NODE_USE_ENV_PROXY: undefined }, async () => {
      assert.equal(await via(adapterFetch()), 'origin');
      const node = await (await fetch(echo.url + '/p')).json();
      assert.equal(node.via, 'origin', "Node's fetch ignores HTTP_PROXY too");
    });
    assert.deepEqual(proxy.seen, []);
    await withEnv({ ...env, NODE_USE_ENV_PROXY: '1' }, async () => {
      const r = await ours(echo.url + '/p', { use: adapterFetch() });
      assert.equal(r.headers.get('x-proxied'), '1');
      assert.deepEqual(proxy.seen, [`GET ${echo.url}/p`]);
      assert.equal(await via(adapterFetch({ proxy: false })), 'origin', 'proxy: false turns it off');
    });
    await withEnv({ ...env, NODE_USE_ENV_PROXY: '1', NO_PROXY: '127.0.0.1' }, async () => {
      assert.equal(await via(adapterFetch()), 'origin');
    });
    assert.equal(proxy.seen.length, 1);
    const explicit = adapterFetch({ proxy: proxy.url });
    assert.equal((await ours(echo.url + '/e', { use: explicit })).headers.get('x-proxied'), '1');
    assert.equal(proxy.seen.at(-1), `GET ${echo.url}/e`);
  } finally {
    await proxy.close();
  }
});

test('an explicit proxy tunnels https with CONNECT', async () => {
  const certs = loadCertificates();
  const tls = await startHttpServer(null, {
    server: https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => res.end('secret')),
  });
  const proxy = await startProxy();
  try {
    const r = await ours(tls.url + '/', { use: adapterFetch({ proxy: proxy.url, ca: certs.ca }) });
    assert.equal(await r.text(), 'secret');
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${tls.port}`]);
  } finally {
    await proxy.close();
    await tls.close();
  }
});

test('NODE_EXTRA_CA_CERTS and NODE_TLS_REJECT_UNAUTHORIZED=0 are honoured as by Node fetch', async () => {
  const certs = loadCertificates();
  const tls = await startHttpServer(null, {
    server: https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => res.end('secret')),
  });
  // Node reads these at startup: each case runs in a fresh process, ours and Node's fetch side by side.
  const scriptFor = (options = '') => `
    const adapter = require(${JSON.stringify(FETCH_ENTRY)})(${options});
    const url = process.argv[1];
    const outcome = (p) => p.then((r) => r.text(), () => 'failed');
    (async () => {
      const ours = await outcome(adapter({ url, type: 'GET', headers: {} }, { config: {} }).response());
      const node = await outcome(fetch(url));
      console.log(JSON.stringify({ ours, node }));
    })();`;
  const run = async (env, options) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', scriptFor(options), tls.url + '/'], {
      env: { PATH: process.env.PATH, ...env },
      timeout: 20_000,
    });
    return JSON.parse(stdout);
  };
  try {
    assert.deepEqual(await run({}), { ours: 'failed', node: 'failed' });
    assert.deepEqual(await run({ NODE_EXTRA_CA_CERTS: CA_FILE }), { ours: 'secret', node: 'secret' });
    assert.deepEqual(await run({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }), { ours: 'secret', node: 'secret' });
    const strict = await run({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }, '{ rejectUnauthorized: true }');
    assert.equal(strict.ours, 'failed', 'an explicit rejectUnauthorized: true wins over the variable');
  } finally {
    await tls.close();
  }
});

test("with undici's global dispatcher replaced (MockAgent) or a per-request dispatcher, requests go through fetch", async () => {
  const alova = createAlova({ requestAdapter: adapterFetch(), responded: (r) => r.text(), cacheFor: null });
  const mock = new MockAgent();
  mock.disableNetConnect();
  mock.get(echo.url).intercept({ path: '/mocked' }).reply(200, 'from the mock').persist();
  const original = getGlobalDispatcher();
  try {
    assert.equal(await alova.Get(echo.url + '/mocked', { dispatcher: mock }), 'from the mock', 'per request');
    assert.match(await alova.Get(echo.url + '/mocked'), /"via":"origin"/, 'others still go native');
    setGlobalDispatcher(mock);
    assert.equal(await alova.Get(echo.url + '/mocked'), 'from the mock', 'global');
  } finally {
    setGlobalDispatcher(original);
    await mock.close();
  }
  assert.match(await alova.Get(echo.url + '/mocked'), /"via":"origin"/, 'native again once restored');
});
