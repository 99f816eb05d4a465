'use strict';
// The entry-expiry rule of every store (the L1 cache, Redis storage, the process-shared
// cache), the same as crates/core/src/psc/protocol.rs `expiry_time`; both are checked by
// __test__/fixtures/vectors/expiry.json. An entry `[data, expireTs, tag?]` expires at `expireTs` when
// that is a finite number above 0, and is gone once `expireTs <= now`. Anything else never
// expires in a store: `[data]` (alova's Infinity), 0, null, non-numbers, Infinity, and
// negatives, so that a rate-limit record `[points, -1]` is kept. alova's read check
// (`!expireTs || expireTs > now`, lib/core/storage.js) still applies on top.

/** When a stored value expires (ms since the epoch), or 0 when it never does. */
function expiryOf(value) {
  if (!Array.isArray(value)) return 0;
  const ts = value[1];
  return typeof ts === 'number' && ts > 0 && ts < Infinity ? ts : 0;
}

/** Whether a stored value's expiry has passed. */
function isExpired(value, now = Date.now()) {
  const ts = expiryOf(value);
  return ts > 0 && ts <= now;
}

module.exports = { expiryOf, isExpired };
