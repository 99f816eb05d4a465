'use strict';
// Stale-if-error (an extension, opt-in by `cacheFor.staleIfError`): next to alova's entry
// `[data, expireTs, tag]` each write keeps a copy `[data, expireTs + grace, tag]` under its
// own key, so the entry itself expires exactly as alova reads it, and the copy outlives it by
// the grace window in L1 and (restore mode) in L2. When a send fails, the copy is served.
const { channel } = require('node:diagnostics_channel');
const { getRawAt, setEntryAt, willStore } = require('./storage');
const { deepClone } = require('./utils');

const STALE = '$a.$stale.';
// Under alova's data prefix (`$a.`), so adapters that clear only data keys clear these too.
const staleKey = (namespace, key) => STALE + namespace + key;
const staleChannel = channel('alova:cache:stale');

/** Writes the grace copies of an entry written with the expiries `l1Ts` and (restore) `l2Ts`. */
function writeStale(method, cache, data, l1Ts, l2Ts) {
  const { id, l1Cache, l2Cache } = method.context;
  const fullKey = staleKey(id, method.key);
  const writes = [];
  // An entry that never expires needs no copy.
  if (l1Ts !== Infinity && willStore(data, l1Ts)) {
    writes.push(setEntryAt(fullKey, data, l1Ts + cache.grace, l1Cache, method.hitSource));
  }
  if (l2Ts !== Infinity && willStore(data, l2Ts)) {
    writes.push(setEntryAt(fullKey, data, l2Ts + cache.grace, l2Cache, method.hitSource, cache.tag));
  }
  return writes.length ? Promise.all(writes) : undefined;
}

/** Removes the grace copies of `method` (an invalidated entry is not served stale). */
function removeStale(method, cache) {
  const { id, l1Cache, l2Cache } = method.context;
  const fullKey = staleKey(id, method.key);
  return Promise.all([l1Cache.remove(fullKey), cache.store ? l2Cache.remove(fullKey) : undefined]);
}

/**
 * Serves the grace copy after `error` failed a send, or rethrows `error` when there is none
 * (a store that cannot be read counts as none). Sets `fromCache` and publishes
 * `alova:cache:stale` `{ key, method, layer, expireTs, error }`.
 */
async function serveStale(s, error) {
  const { method, cache } = s;
  const { id, l1Cache, l2Cache } = method.context;
  const fullKey = staleKey(id, method.key);
  let layer = 'L1';
  let raw = await readQuietly(fullKey, l1Cache, undefined);
  if (!raw && cache.store) {
    layer = 'L2';
    raw = await readQuietly(fullKey, l2Cache, cache.tag);
  }
  if (!raw) throw error;
  const expireTs = raw[1] - cache.grace;
  if (staleChannel.hasSubscribers) staleChannel.publish({ key: method.key, method, layer, expireTs, error });
  const { logger } = s.options;
  if (logger) logger.warn({ key: method.key, url: method.url, layer, expireTs, err: error }, 'alova: served a stale cache entry after a failed request');
  method.fromCache = true;
  return deepClone(raw[0]);
}

async function readQuietly(fullKey, adapter, tag) {
  try {
    return await getRawAt(fullKey, adapter, tag);
  } catch {
    return undefined;
  }
}

module.exports = { writeStale, removeStale, serveStale, staleKey, STALE_CHANNEL: 'alova:cache:stale' };
