'use strict';
// Small value helpers shared by the core modules.

const toTag = (v) => Object.prototype.toString.call(v);
const isFn = (v) => typeof v === 'function';
const isString = (v) => typeof v === 'string';
const isNumber = (v) => typeof v === 'number' && !Number.isNaN(v);
const isPlainObject = (v) => toTag(v) === '[object Object]';
const isThenable = (v) => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
const noop = () => {};
const identity = (v) => v;

/** Bodies that are never cached nor shared (typed arrays and Buffers are not special). */
const SPECIAL_BODY = /^\[object (Blob|FormData|ReadableStream|URLSearchParams)\]$/i;
const isSpecialBody = (data) =>
  data !== null && typeof data === 'object' && (SPECIAL_BODY.test(toTag(data)) || data instanceof ArrayBuffer);

/** Copies arrays and plain `Object` objects deeply; anything else (class instances) as-is. */
function deepClone(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepClone);
  if (isPlainObject(v) && v.constructor === Object) {
    const out = {};
    for (const k of Object.keys(v)) out[k] = deepClone(v[k]);
    return out;
  }
  return v;
}

/** Calls `then` on a possible promise, or `fn` right away on a plain value. */
const thenMaybe = (v, fn) => (isThenable(v) ? v.then(fn) : fn(v));

module.exports = { isFn, isString, isNumber, isPlainObject, isThenable, isSpecialBody, deepClone, thenMaybe, noop, identity };
