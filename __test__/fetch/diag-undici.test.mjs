// undici's diagnostics_channel messages from the native engine, seen through OpenTelemetry's
// undici instrumentation: spans with their attributes, and `traceparent` reaching the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import dc from 'node:diagnostics_channel';
import { createAlova } from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SpanStatusCode, trace, context } from '@opentelemetry/api';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const instrumentation = new UndiciInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.enable();

const seen = []; // request headers as the server received them
let server;
let origin;
before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url.startsWith('/missing')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no');
    }
    if (req.url.startsWith('/slow')) return setTimeout(() => res.end('late'), 2000).unref();
    if (req.url.startsWith('/sized')) {
      // Content-Length set: the engine delivers the body with the head.
      res.setHeader('content-type', 'text/plain');
      return res.end('sized');
    }
    if (req.url.startsWith('/big')) {
      // Large enough to arrive as a stream rather than in one piece.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.alloc(4 * 1024 * 1024, 1));
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-answer': '42' });
    res.end(JSON.stringify({ ok: true, method: req.method }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  instrumentation.disable();
  server.close();
});

// A span ends when the body has been received, as undici's ends at `onComplete`: read it.
const alova = (responded = (r) => r.text()) => createAlova({ baseURL: origin, requestAdapter: adapterFetch(), responded });
const spanFor = (path) => exporter.getFinishedSpans().find((s) => String(s.attributes['url.full']).includes(path));

test('a GET through createAlova + adapterFetch() becomes a client span with undici attributes', async () => {
  const body = await alova((r) => r.json()).Get('/ok?x=1', { headers: { 'user-agent': 'diag-test' } });
  assert.deepEqual(body, { ok: true, method: 'GET' });
  const span = spanFor('/ok?x=1');
  assert.ok(span, 'a span was exported');
  assert.equal(span.name, 'GET');
  assert.equal(span.kind, 2); // SpanKind.CLIENT
  assert.equal(span.attributes['http.request.method'], 'GET');
  assert.equal(span.attributes['url.full'], `${origin}/ok?x=1`);
  assert.equal(span.attributes['url.path'], '/ok');
  assert.equal(span.attributes['url.query'], '?x=1');
  assert.equal(span.attributes['server.address'], '127.0.0.1');
  assert.equal(span.attributes['server.port'], server.address().port);
  assert.equal(span.attributes['user_agent.original'], 'diag-test');
  assert.equal(span.attributes['http.response.status_code'], 200);
  assert.notEqual(span.status.code, SpanStatusCode.ERROR);
});

test('the traceparent the instrumentation adds is sent, and names the span and its parent', async () => {
  const tracer = provider.getTracer('diag-test');
  const parent = tracer.startSpan('parent');
  seen.length = 0;
  await context.with(trace.setSpan(context.active(), parent), () => alova().Post('/traced', { a: 1 }).send());
  parent.end();
  const header = seen[0] && seen[0].traceparent;
  assert.match(String(header), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  const span = spanFor('/traced');
  assert.equal(span.attributes['http.request.method'], 'POST');
  const [, traceId, spanId] = header.split('-');
  assert.equal(traceId, parent.spanContext().traceId);
  assert.equal(spanId, span.spanContext().spanId);
  assert.equal(span.parentSpanContext.spanId, parent.spanContext().spanId);
  assert.equal(seen[0]['content-type'], 'application/json; charset=UTF-8', 'the request headers are kept');
});

test('a 404 gives an error span with its status code', async () => {
  await alova().Get('/missing');
  const span = spanFor('/missing');
  assert.equal(span.attributes['http.response.status_code'], 404);
  assert.equal(span.attributes['error.type'], '404');
  assert.equal(span.status.code, SpanStatusCode.ERROR);
});

test('a refused connection gives an error span', async () => {
  const free = net.createServer();
  await new Promise((r) => free.listen(0, '127.0.0.1', r));
  const port = free.address().port;
  await new Promise((r) => free.close(r));
  const inst = createAlova({ baseURL: `http://127.0.0.1:${port}`, requestAdapter: adapterFetch() });
  await assert.rejects(inst.Get('/refused'), TypeError);
  const span = spanFor(`:${port}/refused`);
  assert.ok(span, 'a span was exported');
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  // The error the send rejects with: fetch's TypeError, with the engine's stable code.
  assert.equal(span.attributes['error.type'], 'ERR_ALOVA_NETWORK');
  assert.equal(span.status.message, 'fetch failed');
  assert.equal(span.events[0].name, 'exception');
});

test('an aborted request ends its span without an error status', async () => {
  const method = alova().Get('/slow');
  const sent = method.send();
  setTimeout(() => method.abort(), 50);
  await assert.rejects(sent, { name: 'AbortError' });
  const span = spanFor('/slow');
  assert.ok(span, 'ended by the abort');
  assert.notEqual(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.attributes['http.response.status_code'], undefined);
});

test('a streamed body ends its span once it has been read', async () => {
  const res = await alova((r) => r).Get('/big');
  assert.equal(spanFor('/big'), undefined, 'still open while the body is unread');
  assert.equal((await res.arrayBuffer()).byteLength, 4 * 1024 * 1024);
  const span = spanFor('/big');
  assert.ok(span, 'ended after the body');
  assert.equal(span.attributes['http.response.status_code'], 200);
});

test('a body delivered with the head ends its span even when nobody reads it', async () => {
  const res = await alova((r) => r).Get('/sized');
  assert.equal(res.headers.get('content-length'), '5');
  const span = spanFor('/sized');
  assert.ok(span, 'ended without reading the body');
  assert.equal(span.attributes['http.response.status_code'], 200);
});

test('the raw messages carry undici 6 shapes', async () => {
  const got = {};
  const on = (name) => (msg) => (got[name] = msg);
  const subs = ['create', 'headers', 'trailers'].map((n) => [`undici:request:${n}`, on(n)]);
  for (const [name, fn] of subs) dc.subscribe(name, fn);
  try {
    await alova().Get('/raw', { headers: { 'x-one': '1' } });
  } finally {
    for (const [name, fn] of subs) dc.unsubscribe(name, fn);
  }
  const { request } = got.create;
  assert.equal(request.origin, origin);
  assert.equal(request.method, 'GET');
  assert.equal(request.path, '/raw');
  assert.ok(Array.isArray(request.headers));
  assert.equal(request.headers[request.headers.indexOf('x-one') + 1], '1');
  assert.equal(got.headers.request, request);
  assert.equal(got.headers.response.statusCode, 200);
  assert.equal(got.headers.response.statusText, 'OK');
  const names = got.headers.response.headers.filter((_, i) => i % 2 === 0).map(String);
  const values = got.headers.response.headers.filter((_, i) => i % 2 === 1).map(String);
  assert.equal(values[names.indexOf('x-answer')], '42');
  assert.ok(Buffer.isBuffer(got.headers.response.headers[0]));
  assert.equal(got.trailers.request, request);
  assert.deepEqual(got.trailers.trailers, []);
  assert.equal(request.completed, true);
});

test('nothing is published for requests made with no subscriber', async () => {
  instrumentation.disable();
  try {
    exporter.reset();
    seen.length = 0;
    await alova().Get('/quiet');
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(seen[0].traceparent, undefined);
  } finally {
    instrumentation.enable();
  }
});
