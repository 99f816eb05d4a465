// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };

// --- @alova/native/psc
import cluster from 'node:cluster';
import {
  AlovaIPCID,
  ExplicitCacheAdapter,
  NodeSyncAdapter,
  RedisSyncAdapter,
  createNodePSCSynchronizer,
  createPSCAdapter,
  createPSCSynchronizer,
  createSyncAdapter,
  ElectronSyncAdapter,
  createElectronPSCSynchronizer,
  type SharedCacheEvent,
} from '@alova/native/psc';

async function pscUsage() {
  if (cluster.isPrimary) {
    const stop: () => void = await createNodePSCSynchronizer(AlovaIPCID);
    stop();
  } else {
    const l1Cache = createPSCAdapter(NodeSyncAdapter((stop) => void stop, 'my-app'));
    await l1Cache.set('k', [{ a: 1 }, Date.now() + 1000]);
    const v = await l1Cache.get<[unknown, number]>('k');
    void v;
    const scoped = createPSCAdapter(NodeSyncAdapter(), new ExplicitCacheAdapter(), { scope: 'admin' });
    scoped.cacheAdapter.getCache();
  }
  const acrossHosts = createPSCAdapter(RedisSyncAdapter({ url: 'redis://127.0.0.1:6379', channel: 'my-app' }));
  await acrossHosts.syncAdapter.ready;
  const events: SharedCacheEvent[] = [];
  const custom = createSyncAdapter({
    send: (e: SharedCacheEvent) => void events.push(e),
    receive: (handler) => void handler({ senderID: '', type: 'init', key: '', value: '{}' }),
  });
  createPSCSynchronizer(custom);
  createPSCAdapter(custom);
  const ipc = { send: (_c: string) => {}, on: (_c: string, _l: (e: unknown) => void) => ipc };
  createPSCAdapter(ElectronSyncAdapter(ipc));
  createElectronPSCSynchronizer({ on: () => undefined });
}
export { pscUsage };
