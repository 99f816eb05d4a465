'use strict';
// Reads a method's `cacheFor` into the parameters the pipeline and cache functions need.
const { isFn, isNumber, isPlainObject } = require('./utils');
const { AlovaError, codes } = require('../errors');

const MEMORY = 'memory';
const RESTORE = 'restore';

const noExpire = () => 0;

/** A number is relative ms, a Date an instant; anything else (null, undefined, NaN) is 0. */
function toExpireTs(value) {
  if (isNumber(value)) return Date.now() + value;
  return value ? value.getTime() : Date.now();
}

/**
 * `{ controlled, cacheFor, mode, store, tag, column, grace, never }` for `method` (`never`:
 * no write can store anything); `expireTs(params, method,
 * mode)` gives the expiry for a mode, evaluated at call time (a write needs it > now). The
 * result is read, never written: one object serves every method with the same primitive
 * `cacheFor` (objects can change in place and are read afresh).
 */
const cacheParams = (method) => paramsFor(method.config.cacheFor);

const shared = new Map();
const SHARED_MAX = 64;

function paramsFor(cacheFor) {
  if (cacheFor !== null && (typeof cacheFor === 'object' || typeof cacheFor === 'function')) return readParams(cacheFor);
  let params = shared.get(cacheFor);
  if (params === undefined) {
    params = readParams(cacheFor);
    if (shared.size < SHARED_MAX) shared.set(cacheFor, params);
  }
  return params;
}

/**
 * True when `column` always gives an expiry that is not in the future (nothing is written):
 * absent, null, false, '', NaN, or a number <= 0.
 */
const expiresAtOnce = (column) => !column || (typeof column === 'number' && !(column > 0));

function readParams(cacheFor) {
  if (isFn(cacheFor)) return { controlled: true, cacheFor, mode: MEMORY, store: false, tag: undefined, column: undefined, grace: 0, never: true };
  let mode = MEMORY;
  let tag;
  let column = cacheFor;
  let grace = 0;
  if (typeof cacheFor === 'object' && isPlainObject(cacheFor)) {
    mode = cacheFor.mode === undefined ? MEMORY : cacheFor.mode;
    tag = cacheFor.tag ? cacheFor.tag.toString() : undefined;
    column = cacheFor.expire;
    if (cacheFor.staleIfError !== undefined) grace = staleGrace(cacheFor.staleIfError);
  }
  return { controlled: false, cacheFor, mode, store: mode === RESTORE, tag, column, grace, never: expiresAtOnce(column) };
}

/** `cacheFor.staleIfError` (an extension): ms an entry may be served after expiry when a send fails. */
function staleGrace(value) {
  if (typeof value === 'number' && value >= 0 && value !== Infinity) return value;
  throw new AlovaError(
    `cacheFor.staleIfError must be a finite number of ms >= 0, got ${String(value)}`,
    undefined,
    codes.INVALID_ARG,
  );
}

function expireTs(params, method, mode) {
  if (params.controlled) return 0;
  const { column } = params;
  return toExpireTs(isFn(column) ? column({ method, mode }) : column);
}

module.exports = { cacheParams, expireTs, MEMORY, RESTORE };
