'use strict';
// `metrics()`: the counters of every layer (HTTP engine, L1, L2, process-shared cache, rate
// limiters) in the shape prom-client's `getMetricsAsJSON()` gives, and `metricsText()` in
// Prometheus' text format. Names are listed once, in FAMILIES; the README documents them.
const { collect } = require('./registry');

// [layer, field of the layer's stats(), metric name, type, help]
const FAMILIES = [
  ['http', 'requests', 'alova_http_requests_total', 'counter', 'Requests sent by the native HTTP engine.'],
  ['http', 'errors', 'alova_http_errors_total', 'counter', 'Requests that failed without a response (network, TLS, timeout).'],
  ['http', 'bytesReceived', 'alova_http_received_bytes_total', 'counter', 'Response body bytes received, after decompression.'],
  ['http', 'connectionsOpened', 'alova_http_connections_opened_total', 'counter', 'Connections opened.'],
  ['http', 'inFlight', 'alova_http_in_flight', 'gauge', 'Requests begun whose response body has not been read to its end yet.'],
  ['http', 'waiting', 'alova_http_waiting', 'gauge', 'Requests waiting for a turn on their origin (the connections limit).'],
  ['l1', 'entries', 'alova_l1_entries', 'gauge', 'Entries held by the in-memory cache.'],
  ['l1', 'bytes', 'alova_l1_bytes', 'gauge', 'Estimated bytes held by the in-memory cache.'],
  ['l1', 'hits', 'alova_l1_hits_total', 'counter', 'In-memory cache reads that found an entry.'],
  ['l1', 'misses', 'alova_l1_misses_total', 'counter', 'In-memory cache reads that found nothing.'],
  ['l1', 'evictions', 'alova_l1_evictions_total', 'counter', 'Entries evicted by the in-memory cache bounds.'],
  ['l1', 'expirations', 'alova_l1_expirations_total', 'counter', 'Entries dropped by the in-memory cache on expiry.'],
  ['l2', 'hits', 'alova_l2_hits_total', 'counter', 'Redis cache reads that found an entry.'],
  ['l2', 'misses', 'alova_l2_misses_total', 'counter', 'Redis cache reads that found nothing.'],
  ['l2', 'errors', 'alova_l2_errors_total', 'counter', 'Redis operations that failed (including calls refused by the open breaker).'],
  ['l2', 'breakerOpen', 'alova_l2_breaker_open', 'gauge', '1 while the circuit breaker is open or half-open, else 0.'],
  ['l2', 'latency', 'alova_l2_operation_duration_seconds', 'histogram', 'Duration of Redis operations.'],
  ['psc', 'entries', 'alova_psc_entries', 'gauge', 'Entries of the process-shared cache seen by this process.'],
  ['psc', 'bytes', 'alova_psc_bytes', 'gauge', "Bytes of keys and JSON values in this process's native copy (native links only)."],
  ['psc', 'sets', 'alova_psc_sets_total', 'counter', 'Entries written by this process to the shared cache.'],
  ['psc', 'removes', 'alova_psc_removes_total', 'counter', 'Entries removed by this process from the shared cache.'],
  ['psc', 'received', 'alova_psc_received_total', 'counter', "Other processes' changes applied to this process's copy."],
  ['psc', 'reloads', 'alova_psc_reloads_total', 'counter', "Times this process's copy was replaced whole (a snapshot after (re)connecting, or another process's clear)."],
  ['ratelimit', 'consumed', 'alova_ratelimit_consumed_total', 'counter', 'Consumes that passed the limit.'],
  ['ratelimit', 'rejected', 'alova_ratelimit_rejected_total', 'counter', 'Consumes rejected over the limit.'],
  ['ratelimit', 'errors', 'alova_ratelimit_errors_total', 'counter', 'Consumes that failed in the store.'],
  ['ratelimit', 'insured', 'alova_ratelimit_insured_total', 'counter', 'Calls answered by the insurance limiter after a store failure.'],
];

const number = (v) => (typeof v === 'boolean' ? Number(v) : v);

/** Every family with the values of every live source, prom-client's JSON shape. */
function metrics() {
  const sources = collect();
  return FAMILIES.map(([layer, field, name, type, help]) => {
    const values = [];
    for (const s of sources) {
      if (s.layer !== layer || s.stats[field] === undefined) continue;
      const labels = { instance: s.id };
      if (type !== 'histogram') {
        values.push({ value: number(s.stats[field]), labels });
        continue;
      }
      const h = s.stats[field];
      for (const { le, count } of h.buckets) values.push({ value: count, labels: { ...labels, le }, metricName: `${name}_bucket` });
      values.push({ value: h.sum, labels, metricName: `${name}_sum` });
      values.push({ value: h.count, labels, metricName: `${name}_count` });
    }
    return { name, help, type, values };
  });
}

const labelText = (labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
    .join(',')}}`;

/** `metrics()` in Prometheus' text exposition format (version 0.0.4). */
function metricsText() {
  let out = '';
  for (const f of metrics()) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const v of f.values) out += `${v.metricName || f.name}${labelText(v.labels)} ${v.value}\n`;
  }
  return out;
}

module.exports = { metrics, metricsText, FAMILIES };
