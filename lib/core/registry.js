'use strict';
// The cache adapters of every live alova instance, for global operations
// (`invalidateCache()` without arguments, `hitCacheBySource` with autoHitCache 'global').
// Instances are held weakly: a collected instance leaves the registry on its own.
const { warn } = require('./logger');
const { isPlaceholder } = require('./adapters');

const byInstance = new WeakMap();
const entries = new Set();
// The adapter lists, rebuilt after the registry changes (every response reads them).
let lists = null;
const finalizer =
  typeof FinalizationRegistry === 'undefined'
    ? null
    : new FinalizationRegistry((entry) => {
        entries.delete(entry);
        lists = null;
      });
let warned = false;

/** `logger`: the instance's `logger` option, for the one warning this module gives. */
function register(instance, l1, l2, logger) {
  if (byInstance.has(instance)) return;
  const entry = { l1, l2 };
  byInstance.set(instance, entry);
  entries.add(entry);
  lists = null;
  if (finalizer) {
    finalizer.register(instance, entry, instance);
  } else if (!warned && entries.size >= 20) {
    warned = true;
    warn(
      logger,
      '[alova] FinalizationRegistry is not available in the current environment, cache adapters will remain in memory. Please call `alova.destroy()` when an instance is no longer needed to avoid memory leaks.',
    );
  }
}

function unregister(instance) {
  const entry = byInstance.get(instance);
  if (!entry) return;
  entries.delete(entry);
  lists = null;
  byInstance.delete(instance);
  if (finalizer) finalizer.unregister(instance);
}

const distinct = (level) => [...new Set([...entries].map((e) => e[level]))];

/**
 * Distinct registered adapters of one level ('l1' or 'l2'), of both ('all': l1 then l2), or
 * of both but placeholders ('stores'); the caller must not change the list.
 */
function adapters(level) {
  if (!lists) {
    const l1 = distinct('l1');
    const l2 = distinct('l2');
    const all = [...l1, ...l2];
    lists = { l1, l2, all, stores: all.filter((a) => !isPlaceholder(a)) };
  }
  return lists[level];
}

module.exports = { register, unregister, adapters };
