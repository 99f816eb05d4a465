// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import mod from './psc.js';

export default mod;
export const {
  AlovaIPCID,
  ElectronSyncAdapter,
  ExplicitCacheAdapter,
  NodeSyncAdapter,
  PSCAdapter,
  RedisSyncAdapter,
  createElectronPSCSynchronizer,
  createNodePSCSynchronizer,
  createPSCAdapter,
  createPSCSynchronizer,
  createSyncAdapter,
} = mod;
