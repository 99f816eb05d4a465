'use strict';
// The cache layers' `diagnostics_channel` events (an extension): `alova:cache:hit`, `miss`,
// `set` and `invalidate`, each `{ layer: 'L1' | 'L2', key, method }`. Two invalidations have
// no method: `invalidateCache()` with no argument (`{ layer, all: true }`, once per layer) and
// one by hit source (`{ layer, storageKey, source }`, per entry removed). Every event site
// checks `hasSubscribers` once and builds nothing when nobody listens.
const { channel } = require('node:diagnostics_channel');

const hit = channel('alova:cache:hit');
const miss = channel('alova:cache:miss');
const set = channel('alova:cache:set');
const invalidate = channel('alova:cache:invalidate');

/** `ch.publish({ layer, key, method })`; call it only after `ch.hasSubscribers`. */
const publish = (ch, layer, method) => ch.publish({ layer, key: method.key, method });

/** `ch` for each layer involved (`l1`, `l2`): the layers written or invalidated. */
function publishLayers(ch, method, l1, l2) {
  if (l1) publish(ch, 'L1', method);
  if (l2) publish(ch, 'L2', method);
}

/** `invalidateCache()` with no argument cleared every adapter of `layer`. */
const publishCleared = (layer) => invalidate.publish({ layer, key: undefined, method: undefined, all: true });

/** A hit-source invalidation removed `storageKey` (a stored entry's key) from `layer` for `source`. */
const publishHitRemoved = (layer, storageKey, source) =>
  invalidate.publish({ layer, key: undefined, method: undefined, storageKey, source });

module.exports = { hit, miss, set, invalidate, publish, publishLayers, publishCleared, publishHitRemoved };
