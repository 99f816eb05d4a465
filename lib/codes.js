'use strict';
// Every stable error code, defined once for JS. The engine's `Code` enum
// (crates/core/src/error.rs) is the same list, checked by a Rust test; the README's table is
// checked against this object. Plain data: the loader needs it before the addon loads.

const codes = Object.freeze({
  INVALID_ARG: 'ERR_ALOVA_INVALID_ARG',
  TIMEOUT: 'ERR_ALOVA_TIMEOUT',
  ABORTED: 'ERR_ALOVA_ABORTED',
  NETWORK: 'ERR_ALOVA_NETWORK',
  BODY_TOO_LARGE: 'ERR_ALOVA_BODY_TOO_LARGE',
  VALUE_TOO_LARGE: 'ERR_ALOVA_VALUE_TOO_LARGE',
  BODY: 'ERR_ALOVA_BODY',
  REDIS: 'ERR_ALOVA_REDIS',
  REDIS_UNAVAILABLE: 'ERR_ALOVA_REDIS_UNAVAILABLE',
  PSC: 'ERR_ALOVA_PSC',
  IO: 'ERR_ALOVA_IO',
  INTERNAL: 'ERR_ALOVA_INTERNAL',
  NATIVE_MISSING: 'ERR_ALOVA_NATIVE_MISSING',
  LOCKED: 'ERR_ALOVA_LOCKED',
  LOCK_LOST: 'ERR_ALOVA_LOCK_LOST',
  UNSUPPORTED: 'ERR_ALOVA_UNSUPPORTED',
});

const known = new Set(Object.values(codes));

/** Whether `code` is one of this package's codes. */
const isAlovaCode = (code) => known.has(code);

module.exports = { codes, isAlovaCode };
