'use strict';
// The cache functions: queryCache, setCache, invalidateCache and hitCacheBySource.
const { cacheParams, expireTs, MEMORY, RESTORE } = require('./cacheConfig');
const { getData, setEntry, remove, hitTargets, willStore } = require('./storage');
const { getGlobalConfig } = require('./globalConfig');
const registry = require('./registry');
const { isPlaceholder } = require('./adapters');
const { isFn, noop } = require('./utils');
const { writeStale, removeStale } = require('./stale');
const cacheEvents = require('./cacheEvents');

const L2 = 'l2';
const ALL = 'all';
const toList = (m) => (Array.isArray(m) ? m : [m]);

/** The cached data of `method`: L1, L2 or both (L2 in restore mode only) by `policy`. */
async function queryCache(method, { policy = ALL } = {}) {
  if (!method || !method.key) return undefined;
  const { id, l1Cache, l2Cache } = method.context;
  const c = cacheParams(method);
  if (c.controlled) return c.cacheFor();
  let data = policy !== L2 ? await getData(id, method.key, l1Cache) : undefined;
  if (policy === L2) {
    data = await getData(id, method.key, l2Cache, c.tag);
  } else if (policy === ALL && !data && c.store && expireTs(c, method, RESTORE) > Date.now()) {
    data = await getData(id, method.key, l2Cache, c.tag);
  }
  return data;
}

/** Writes data (or `updater(old)`) into the caches of each method, as its `cacheFor` allows. */
async function setCache(methods, dataOrUpdater, { policy = ALL } = {}) {
  return Promise.all(
    toList(methods).map(async (method) => {
      const { hitSource, key } = method;
      const { id, l1Cache, l2Cache } = method.context;
      const c = cacheParams(method);
      if (c.controlled) return undefined;
      let data = dataOrUpdater;
      if (isFn(dataOrUpdater)) {
        let old = policy !== L2 ? await getData(id, key, l1Cache) : undefined;
        if (policy === L2 || (policy === ALL && !old && c.store && expireTs(c, method, RESTORE) > Date.now())) {
          old = await getData(id, key, l2Cache, c.tag);
        }
        data = dataOrUpdater(old);
        if (data === undefined) return undefined;
      }
      const l1Ts = policy !== L2 ? expireTs(c, method, MEMORY) : undefined;
      const l2Ts = policy === L2 || (policy === ALL && c.store) ? expireTs(c, method, RESTORE) : undefined;
      const writes = [
        l1Ts !== undefined && setEntry(id, key, data, l1Ts, l1Cache, hitSource),
        l2Ts !== undefined ? setEntry(id, key, data, l2Ts, l2Cache, hitSource, c.tag) : undefined,
      ];
      const written = Promise.all(writes);
      if (cacheEvents.set.hasSubscribers) {
        const l1 = l1Ts !== undefined && willStore(data, l1Ts);
        const l2 = l2Ts !== undefined && willStore(data, l2Ts);
        written.then(() => cacheEvents.publishLayers(cacheEvents.set, method, l1, l2), noop);
      }
      // The grace copy is not part of the resolved value (alova's has two elements).
      return c.grace ? Promise.all([written, writeStale(method, c, data, l1Ts, l2Ts)]).then((r) => r[0]) : written;
    }),
  );
}

/** Removes the caches of the given methods, or clears every registered adapter. */
async function invalidateCache(methods) {
  if (!methods) {
    const l1 = registry.adapters('l1');
    const l2 = registry.adapters('l2');
    await Promise.all([...l1, ...l2].map((a) => a.clear()));
    if (cacheEvents.invalidate.hasSubscribers) {
      if (l1.length) cacheEvents.publishCleared('L1');
      if (l2.length) cacheEvents.publishCleared('L2');
    }
    return;
  }
  await Promise.all(
    toList(methods).map((method) => {
      const { id, l1Cache, l2Cache } = method.context;
      const c = cacheParams(method);
      if (c.controlled) return undefined;
      const removals = Promise.all([
        remove(id, method.key, l1Cache),
        c.mode === RESTORE ? remove(id, method.key, l2Cache) : undefined,
      ]);
      const done = c.grace ? Promise.all([removals, removeStale(method, c)]) : removals;
      if (cacheEvents.invalidate.hasSubscribers) {
        done.then(() => cacheEvents.publishLayers(cacheEvents.invalidate, method, true, c.mode === RESTORE), noop);
      }
      return done;
    }),
  );
}

/** Invalidates every entry whose `hitSource` names `source` (by key, name or RegExp). */
const hitCacheBySource = (source) => invalidateTargets(source, false);

/**
 * `skipPlaceholders`: the send pipeline leaves out placeholder L2s (they hold nothing and
 * would only reject), so a response settles after its invalidations, never before.
 */
async function invalidateTargets(source, skipPlaceholders) {
  const list = involvedAdapters(source, skipPlaceholders);
  if (list.length) await Promise.all(list.map((a) => hitTargets(source.key, source.config.name, a, false, onHitRemoved(source, a))));
}

/**
 * `invalidateTargets` for a send no other send shares: undefined when every adapter answered
 * its first read synchronously with nothing (no promise, no tick), else a promise. Shared
 * sends keep the ticks of `invalidateTargets`, which order their cache calls as alova does.
 */
function invalidateTargetsNow(source, skipPlaceholders) {
  let pending;
  for (const adapter of involvedAdapters(source, skipPlaceholders)) {
    const done = hitTargets(source.key, source.config.name, adapter, true, onHitRemoved(source, adapter));
    if (done) (pending = pending || []).push(done);
  }
  return pending && Promise.all(pending);
}

/** What a hit-source removal from `adapter` publishes; nothing when nobody listens. */
function onHitRemoved(source, adapter) {
  if (!cacheEvents.invalidate.hasSubscribers) return undefined;
  const layer = registry.adapters('l1').includes(adapter) ? 'L1' : 'L2';
  return (storageKey) => cacheEvents.publishHitRemoved(layer, storageKey, source);
}

/** The adapters `autoHitCache` involves for `source`; the caller must not change the list. */
function involvedAdapters(source, skipPlaceholders) {
  const { autoHitCache } = getGlobalConfig();
  if (autoHitCache === 'global') return registry.adapters(skipPlaceholders ? 'stores' : 'all');
  if (autoHitCache !== 'self') return [];
  const list = [source.context.l1Cache, source.context.l2Cache];
  return skipPlaceholders ? list.filter((a) => !isPlaceholder(a)) : list;
}

module.exports = { queryCache, setCache, invalidateCache, hitCacheBySource, invalidateTargets, invalidateTargetsNow };
