// @alova/psc's documented Node usage, and a custom sync adapter.
import cluster from 'node:cluster';
import { createAlova } from '@alova/native';
import adapterFetch from '@alova/native/fetch';
import {
  createPSCAdapter,
  createNodePSCSynchronizer,
  NodeSyncAdapter,
  createSyncAdapter,
  createPSCSynchronizer,
  ExplicitCacheAdapter,
} from '@alova/native/psc';
import type { ProcessSharedCacheAdapterOptions, SharedEventHandler, SharedCacheEvent, SyncAdapter } from '@alova/native/psc';

export async function primary() {
  if (cluster.isPrimary) {
    const stop = await createNodePSCSynchronizer();
    stop();
  }
}

export const alovaInstance = createAlova({
  requestAdapter: adapterFetch(),
  l1Cache: createPSCAdapter(NodeSyncAdapter()),
  responded: (r) => r.json(),
});

const options: ProcessSharedCacheAdapterOptions = { scope: 'api' };
const handlers: SharedEventHandler[] = [];
const custom: SyncAdapter = createSyncAdapter({
  send(event: SharedCacheEvent) {
    for (const h of handlers) h(event);
  },
  receive(handler) {
    handlers.push(handler);
  },
});
export const scoped = createPSCAdapter(custom, new ExplicitCacheAdapter(), options);
createPSCSynchronizer(custom);
export const withScope = createAlova({ requestAdapter: adapterFetch(), l1Cache: scoped, responded: (r) => r.json() });
