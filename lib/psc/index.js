'use strict';
// @alova/native/psc: alova's process-shared cache with a native hub, clients and Redis sync.
const { ExplicitCacheAdapter } = require('./explicit');
const { PSCAdapter, createPSCAdapter, createSyncAdapter } = require('./adapter');
const { createPSCSynchronizer } = require('./synchronizer');
const { AlovaIPCID, NodeSyncAdapter, createNodePSCSynchronizer } = require('./node');
const { ElectronSyncAdapter, createElectronPSCSynchronizer } = require('./electron');
const { RedisSyncAdapter } = require('./redis');

module.exports = {
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
};
