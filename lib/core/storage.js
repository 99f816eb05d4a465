'use strict';
// How alova entries live in a storage adapter: data keys `$a.<id><method key>` holding
// `[data, expireTs?, tag?]`, and the hit-source index (`hss.*`, `hsr.*`, `$$hsrs`) that lets a
// source method invalidate its targets. Adapters may be sync or async; every call is awaited
// only when it returns a promise, so a synchronous L1 answers a hit without extra ticks.
const { isThenable, thenMaybe } = require('./utils');

const PREFIX = '$a.';
const HSS = 'hss.';
const HSR = 'hsr.';
const HSRS = '$$hsrs';
const FLAG_SEP = '__$<>$__';
/**
 * `adapter[kIndexEntry](HSS, key)`, where an adapter has it, reads what `get(HSS + key)` reads:
 * the default L1 answers without building the key while it holds no index entry.
 */
const kIndexEntry = Symbol('alova.indexEntry');

const dataKey = (namespace, key) => PREFIX + namespace + key;
const isDataKey = (key) => key.startsWith(PREFIX);

function validEntry(stored, adapter, fullKey, tag) {
  if (!stored) return undefined;
  let expireTs;
  let storedTag;
  if (Array.isArray(stored)) {
    expireTs = stored[1];
    storedTag = stored[2];
  } else {
    [, expireTs, storedTag] = stored; // other iterables as alova reads them; non-iterables throw
  }
  if (storedTag === tag && (!expireTs || expireTs > Date.now())) return stored;
  return thenMaybe(adapter.remove(fullKey), () => undefined);
}

/** The stored `[data, ts?, tag?]` if valid; an invalid entry is removed. Sync or a promise. */
const getRaw = (namespace, key, adapter, tag) => getRawAt(dataKey(namespace, key), adapter, tag);

function getRawAt(fullKey, adapter, tag) {
  const stored = adapter.get(fullKey);
  return isThenable(stored)
    ? stored.then((s) => validEntry(s, adapter, fullKey, tag))
    : validEntry(stored, adapter, fullKey, tag);
}

/** The cached data or undefined. Sync or a promise. */
const getData = (namespace, key, adapter, tag) => thenMaybe(getRaw(namespace, key, adapter, tag), (raw) => (raw ? raw[0] : undefined));

const remove = async (namespace, key, adapter) => {
  await adapter.remove(dataKey(namespace, key));
};

/** Whether `setEntry` writes anything: truthy data that expires in the future. */
const willStore = (data, expireTs) => !!(expireTs > Date.now() && data);

/** Writes `data` if it is truthy and `expireTs` is in the future, then indexes `hitSource`. */
const setEntry = (namespace, key, data, expireTs, adapter, hitSource, tag) =>
  setEntryAt(dataKey(namespace, key), data, expireTs, adapter, hitSource, tag);

/** `setEntry` under a full storage key. */
async function setEntryAt(fullKey, data, expireTs, adapter, hitSource, tag) {
  if (!willStore(data, expireTs)) return;
  const entry = [data, expireTs === Infinity ? undefined : expireTs, tag].filter(Boolean);
  await adapter.set(fullKey, entry);
  if (!hitSource) return;
  const indexKeys = {};
  const newRegexps = [];
  for (const source of hitSource) {
    const isRegexp = source instanceof RegExp;
    const name = isRegexp ? source.source + (source.flags ? FLAG_SEP + source.flags : '') : source;
    if (!name) continue;
    if (isRegexp && !indexKeys[name]) newRegexps.push(name);
    indexKeys[isRegexp ? HSR + name : HSS + name] = 0;
  }
  const writes = Object.keys(indexKeys).map(async (indexKey) => {
    const targets = (await adapter.get(indexKey)) || {};
    targets[fullKey] = 0;
    await adapter.set(indexKey, targets);
  });
  const saveRegexps = async () => {
    if (!newRegexps.length) return;
    const list = (await adapter.get(HSRS)) || [];
    list.push(...newRegexps);
    await adapter.set(HSRS, list);
  };
  await Promise.all([...writes, saveRegexps()]);
}

/**
 * Removes every cache entry that listed `sourceKey` or `sourceName` as its hit source. With
 * `lazy`, an unnamed source whose key indexes nothing in a synchronous adapter returns
 * undefined at once instead of a promise.
 */
function hitTargets(sourceKey, sourceName, adapter, lazy, onRemoved) {
  let first;
  try {
    first = adapter[kIndexEntry] ? adapter[kIndexEntry](HSS, sourceKey) : adapter.get(HSS + sourceKey);
  } catch (error) {
    // As from an async function: a rejection, and the other adapters are still visited.
    first = Promise.reject(error);
  }
  if (lazy && !sourceName && !first) return undefined;
  return hitIndexed(sourceKey, sourceName, adapter, first, onRemoved);
}

async function hitIndexed(sourceKey, sourceName, adapter, first, onRemoved) {
  const nameStr = `${sourceName}`;
  const indexes = {};
  indexes[HSS + sourceKey] = await first;
  let regexps;
  if (sourceName) {
    indexes[HSS + nameStr] = await adapter.get(HSS + nameStr);
    regexps = await adapter.get(HSRS);
    if (regexps && regexps.length) {
      const matched = regexps.filter((str) => {
        const [source, flags] = str.split(FLAG_SEP);
        return new RegExp(source, flags).test(nameStr);
      });
      await Promise.all(
        matched.map(async (str) => {
          indexes[HSR + str] = await adapter.get(HSR + str);
        }),
      );
    }
  }
  const removeTarget = async (target) => {
    try {
      await adapter.remove(target);
      if (onRemoved) onRemoved(target);
      for (const k in indexes) if (indexes[k]) delete indexes[k][target];
    } catch {
      // A target that could not be removed stays listed.
    }
  };
  const seen = {};
  await Promise.all(
    Object.keys(indexes).map(async (indexKey) => {
      const targets = indexes[indexKey];
      if (!targets) return;
      const removals = [];
      for (const target in targets) {
        if (seen[target]) continue;
        seen[target] = 0;
        removals.push(removeTarget(target));
      }
      await Promise.all(removals);
    }),
  );
  const regexpCount = (regexps || []).length;
  await Promise.all(
    Object.keys(indexes).map(async (indexKey) => {
      const targets = indexes[indexKey];
      if (!targets) return;
      if (Object.keys(targets).length) {
        await adapter.set(indexKey, targets);
      } else {
        await adapter.remove(indexKey);
        if (indexKey.startsWith(HSR) && regexps) regexps = regexps.filter((str) => HSR + str !== indexKey);
      }
    }),
  );
  if (regexpCount !== (regexps || []).length) await adapter.set(HSRS, regexps);
}

module.exports = { dataKey, isDataKey, getRaw, getRawAt, getData, setEntry, setEntryAt, willStore, remove, hitTargets, HSS, HSR, HSRS, kIndexEntry };
