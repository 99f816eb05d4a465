// A loopback origin shaped like alova's own test fixture, and an alova instance factory.
import { startHttpServer, readBody } from './servers.mjs';
import { adapterFetch } from './fetch-adapter.mjs';
import { createAlova } from '@alova/native';

export const DOWNLOAD_SIZE = 250569;

/**
 * Routes: /unit-test (echo `{code, msg, data: {path, method, params, data?}}`), /unit-test-error
 * (connection destroyed), /unit-test-1s (answers after ~900 ms), /unit-test-count (a counter),
 * /unit-test-download (binary with Content-Length), /unit-test-headers (echoes headers).
 */
export async function startFixture() {
  let count = 0;
  const hits = {};
  const srv = await startHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    hits[url.pathname] = (hits[url.pathname] || 0) + 1;
    const body = await readBody(req);
    const json = (obj, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const echo = () => {
      const data = { path: url.pathname, method: req.method, params: Object.fromEntries(url.searchParams) };
      if (body.length) data.data = JSON.parse(body.toString());
      return { code: 200, msg: '', data };
    };
    switch (url.pathname) {
      case '/unit-test':
        return json(echo());
      case '/unit-test-error':
        return req.socket.destroy();
      case '/unit-test-1s':
        return setTimeout(() => json(echo()), 900);
      case '/unit-test-count':
        count += 1;
        return json({ count });
      case '/unit-test-download': {
        const buf = Buffer.alloc(DOWNLOAD_SIZE, 7);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': buf.length });
        // Several chunks, so progress is reported more than once.
        let sent = 0;
        const step = () => {
          const end = Math.min(sent + 65536, buf.length);
          res.write(buf.subarray(sent, end));
          sent = end;
          if (sent < buf.length) setImmediate(step);
          else res.end();
        };
        return step();
      }
      case '/unit-test-headers':
        return json({ headers: req.headers });
      case '/unit-test-404':
        return json({ code: 404 }, 404);
      default:
        return json({ code: 404, path: url.pathname }, 404);
    }
  });
  return { ...srv, hits, resetCount: () => (count = 0) };
}

/** An alova instance on the fixture with the fetch adapter and JSON responses. */
export function fixtureAlova(baseURL, options = {}) {
  return createAlova({
    baseURL,
    requestAdapter: adapterFetch(),
    timeout: 3000,
    cacheLogger: false,
    responded: (r) => r.json(),
    ...options,
  });
}
