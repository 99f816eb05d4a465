'use strict';
// `createAlova` and the instance it returns.
const { AlovaError } = require('../errors');
const { Method } = require('./method');
const { MethodSnapshotContainer } = require('./snapshots');
const { L1Cache } = require('./l1');
const { defaultL2 } = require('./adapters');
const registry = require('./registry');
const { checkLogger } = require('./logger');

const DEFAULT_OPTIONS = { cacheFor: { GET: 300000 }, shareRequest: true, snapshots: 1000 };
let idCount = 0;
let boundStatesHook;

class Alova {
  constructor(options) {
    this.id = (options.id || (idCount += 1)).toString();
    this.l1Cache = options.l1Cache || new L1Cache();
    this.l2Cache = options.l2Cache || defaultL2();
    this.options = { ...DEFAULT_OPTIONS, cacheFor: { ...DEFAULT_OPTIONS.cacheFor }, ...options };
    this.snapshots = new MethodSnapshotContainer(options.snapshots ?? DEFAULT_OPTIONS.snapshots);
  }

  Request(config) {
    return new Method(config.method || 'GET', this, config.url, config, config.data);
  }

  Get(url, config) {
    return new Method('GET', this, url, config);
  }

  Post(url, data, config) {
    return new Method('POST', this, url, config, data);
  }

  Delete(url, data, config) {
    return new Method('DELETE', this, url, config, data);
  }

  Put(url, data, config) {
    return new Method('PUT', this, url, config, data);
  }

  Head(url, config) {
    return new Method('HEAD', this, url, config);
  }

  Patch(url, data, config) {
    return new Method('PATCH', this, url, config, data);
  }

  Options(url, config) {
    return new Method('OPTIONS', this, url, config);
  }

  /** Leaves the global adapter registry and clears the L1 cache. */
  destroy() {
    registry.unregister(this);
    this.l1Cache.clear();
  }
}

function createAlova(options) {
  checkLogger(options && options.logger);
  const instance = new Alova(options);
  const statesHook = instance.options.statesHook;
  if (boundStatesHook && statesHook && boundStatesHook.name !== statesHook.name) {
    throw new AlovaError('expected to use the same `statesHook`');
  }
  boundStatesHook = statesHook;
  registry.register(instance, instance.l1Cache, instance.l2Cache, instance.options.logger);
  return instance;
}

function promiseStatesHook() {
  if (!boundStatesHook) throw new AlovaError('`statesHook` is not set in alova instance');
  return boundStatesHook;
}

module.exports = { createAlova, promiseStatesHook, Alova };
