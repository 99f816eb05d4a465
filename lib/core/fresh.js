'use strict';
// Promises of a value nobody else holds: the parse of a response body made by the native
// fetch adapter's `json()`. A response handler that returns one as is (`r => r.json()`) gives
// the pipeline data it need not copy when it caches nothing.
const fresh = new WeakSet();

/** Records `promise` as resolving to a freshly parsed value; returns it. */
function markFresh(promise) {
  fresh.add(promise);
  return promise;
}

const isFreshParse = (value) => value !== null && typeof value === 'object' && fresh.has(value);

module.exports = { markFresh, isFreshParse };
