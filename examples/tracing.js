'use strict';
// Tracing: OpenTelemetry's undici instrumentation sees requests sent by the native engine,
// and the cache layers report hits and misses on diagnostics_channel.
// Run: node examples/tracing.js
const http = require('node:http');
const { subscribe } = require('node:diagnostics_channel');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');

// A real service would export to a collector (OTLP); here the spans are kept in memory.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const instrumentation = new UndiciInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.enable();

async function main() {
  const origin = http.createServer((req, res) => {
    console.log(`server got ${req.method} ${req.url} traceparent: ${req.headers.traceparent}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ user: 1 }));
  });
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));

  for (const event of ['hit', 'miss', 'set']) {
    subscribe(`alova:cache:${event}`, ({ layer, key }) => console.log(`cache ${event} ${layer} ${key}`));
  }

  const alova = createAlova({
    baseURL: `http://127.0.0.1:${origin.address().port}`,
    requestAdapter: adapterFetch(),
    cacheLogger: false,
    responded: (r) => r.json(),
  });
  await alova.Get('/user/1'); // a miss: sent, traced, cached
  await alova.Get('/user/1'); // an L1 hit: nothing sent

  for (const span of exporter.getFinishedSpans()) {
    const a = span.attributes;
    console.log(`span ${span.name} ${a['url.full']} status ${a['http.response.status_code']} trace ${span.spanContext().traceId}`);
  }
  origin.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
