// Types of the opt-in production extensions.
import { createAlova } from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import { createRateLimiter, rateLimitHeaders, type RateLimitHeaders } from '@alova/native/server';

const alova = createAlova({ requestAdapter: adapterFetch(), cacheFor: { GET: { expire: 1000, staleIfError: 60_000 } } });
alova.Get('/x', { cacheFor: { expire: 1000, mode: 'restore', staleIfError: 5000 } });

const limit = createRateLimiter({ points: 5, insuranceLimiter: createRateLimiter({ points: 5 }) });
createRateLimiter({ insuranceLimiter: { points: 2, duration: 1000 } });
const limited = limit(alova.Get('/y'), { key: 'k' });
limited.consume().then((res) => {
  const h: RateLimitHeaders = limited.headers(res);
  const r: string | undefined = rateLimitHeaders(res, 5)['Retry-After'];
  return [h['RateLimit-Limit'], r];
});

import RedisStorageAdapter from '@alova/native/storage-redis';
import FileStorageAdapter from '@alova/native/storage-file';
createAlova({ requestAdapter: adapterFetch(), logger: console });
new RedisStorageAdapter({ logger: console });
new FileStorageAdapter({ directory: '/tmp/x', logger: console });

import { metrics, metricsText, type MetricFamily } from '@alova/native';
const families: MetricFamily[] = metrics();
const text: string = metricsText();
const rl = limit.stats();
const l2stats = new RedisStorageAdapter().stats();
export const seen = [families[0]?.values[0]?.labels.instance, text.length, rl.insured + rl.rejected, l2stats.latency.buckets[0]?.le];
import { createPSCAdapter, NodeSyncAdapter } from '@alova/native/psc';
const pscStats = createPSCAdapter(NodeSyncAdapter()).stats();
export const pscSeen: number = pscStats.received + pscStats.reloads;
