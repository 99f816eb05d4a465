'use strict';
// Per-method values the send pipeline would otherwise rebuild on every send: the cache
// parameters of a primitive or function `cacheFor`, and the data key (a fresh concatenation
// would be re-hashed on every lookup, which is most of the cost of a hit). Kept in a hidden
// (non-enumerable) slot, so clones, spreads and logs never see it; every value is re-checked
// against its inputs before use.
const { cacheParams } = require('./cacheConfig');
const { dataKey } = require('./storage');

const MEMO = Symbol('@alova/native.memo');

function memoOf(method) {
  let memo = method[MEMO];
  if (memo === undefined) {
    memo = { cacheFor: undefined, params: undefined, key: undefined, namespace: undefined, dataKey: undefined };
    Object.defineProperty(method, MEMO, { value: memo });
  }
  return memo;
}

/** `cacheParams(method)`, reused while `config.cacheFor` is the same primitive or function. */
function paramsOf(method, memo) {
  const { cacheFor } = method.config;
  if (memo.params !== undefined && memo.cacheFor === cacheFor) return memo.params;
  const params = cacheParams(method);
  // Objects (plain or Date) can change in place: read them afresh each time.
  const reusable = cacheFor === null || typeof cacheFor !== 'object';
  memo.params = reusable ? params : undefined;
  memo.cacheFor = cacheFor;
  return params;
}

/** `dataKey(namespace, method.key)`, reused while both stay the same. */
function dataKeyOf(method, namespace, memo) {
  const key = method.key;
  if (memo.key !== key || memo.namespace !== namespace) {
    memo.key = key;
    memo.namespace = namespace;
    memo.dataKey = dataKey(namespace, key);
  }
  return memo.dataKey;
}

module.exports = { memoOf, paramsOf, dataKeyOf };
