'use strict';
// The origin server for HTTP benchmarks, in its own process so that its CPU is not counted
// as client CPU. GET /json?size=N answers N bytes of JSON (an array of small objects).
const { fork } = require('node:child_process');
const http = require('node:http');

function body(size) {
  const item = '{"id":1234,"name":"alova","ok":true},';
  const n = Math.max(1, Math.floor((size - 2) / item.length));
  return '[' + item.repeat(n).slice(0, -1) + ']';
}

if (require.main === module) {
  const bodies = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const size = Number(url.searchParams.get('size') || 1024);
    let b = bodies.get(size);
    if (!b) bodies.set(size, (b = Buffer.from(body(size))));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': b.length });
    res.end(b);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
} else {
  /** Starts the origin in a child process; resolves `{ url, close() }`. */
  module.exports.startOrigin = function startOrigin() {
    return new Promise((resolve, reject) => {
      const child = fork(__filename, [], { stdio: 'inherit' });
      child.once('error', reject);
      child.once('message', ({ port }) =>
        resolve({ url: `http://127.0.0.1:${port}`, close: () => child.kill() }),
      );
    });
  };
}
