// The response head as the engine hands it over (status, reason phrase, URL, redirect flag,
// headers in one piece): every part reaches the Response intact, whatever it contains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import adapterFetch from '@alova/native/fetch';
import { startHttpServer } from '../helpers/servers.mjs';

const adapter = adapterFetch();
const get = (url) => adapter({ url, type: 'GET', headers: {} }, { config: {} }).response();

/** A raw server answering each request with `head` (status line and headers, CRLF-ended, as latin-1). */
async function rawServer(head) {
  const server = net.createServer((s) => {
    s.once('data', () => s.end(Buffer.from(`${head}content-length: 2\r\n\r\nok`, 'latin1')));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('status codes of every width of reason phrase, and reason phrases with spaces and tabs', async (t) => {
  for (const [line, status, statusText] of [
    ['HTTP/1.1 200 OK', 200, 'OK'],
    ['HTTP/1.1 299 A\tB  c ', 299, 'A\tB  c '],
    ['HTTP/1.1 404 ', 404, ''],
    ['HTTP/1.1 599 Custom Reason', 599, 'Custom Reason'],
  ]) {
    const srv = await rawServer(`${line}\r\nx-a: 1\r\n`);
    t.after(() => srv.close());
    const r = await get(`${srv.url}/p?q=1`);
    assert.equal(r.status, status, line);
    assert.equal(r.statusText, statusText, line);
    assert.equal(r.url, `${srv.url}/p?q=1`);
    assert.equal(r.redirected, false);
    assert.equal(r.headers.get('x-a'), '1');
    assert.equal(await r.text(), 'ok');
  }
});

test('a redirected response carries its final URL and the redirect flag', async (t) => {
  const srv = await startHttpServer((req, res) => {
    if (req.url === '/from') {
      res.writeHead(302, { location: '/to?x=%C3%A9' });
      return res.end();
    }
    res.end('done');
  });
  t.after(() => srv.close());
  const r = await get(`${srv.url}/from`);
  assert.equal(r.status, 200);
  assert.equal(r.redirected, true);
  assert.equal(r.url, `${srv.url}/to?x=%C3%A9`);
  assert.equal(await r.text(), 'done');
});

test('header values keep their bytes as latin-1 characters, in order, names lower-case', async (t) => {
  const srv = await rawServer('HTTP/1.1 200 OK\r\nX-Latin: caf\xe9\r\nx-b: 2\r\nX-A: 1\r\n');
  t.after(() => srv.close());
  const r = await get(`${srv.url}/`);
  assert.equal(r.headers.get('x-latin'), 'caf\xe9');
  assert.deepEqual([...r.headers.keys()], ['content-length', 'x-a', 'x-b', 'x-latin']);
});
