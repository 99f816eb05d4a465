'use strict';
// alova's error shape: an Error whose name is `[alova]` or `[alova/<area>]`, with a stable
// `code` from lib/codes.js. The addon gives every failure its code as data: a sync call
// throws an Error with `code`, a promise rejects with one, a callback receives
// `{ code, message }` (turned into an AlovaError by `fromFailure`).
const { codes, isAlovaCode } = require('./codes');

class AlovaError extends Error {
  constructor(message, area, code) {
    super(message);
    this.name = area ? `[alova/${area}]` : '[alova]';
    if (code) this.code = code;
  }
}

/** Gives an error from the addon alova's name for `area`, keeping its message, code and stack. */
function fromNative(err, area) {
  if (err && typeof err === 'object' && isAlovaCode(err.code)) {
    err.name = area ? `[alova/${area}]` : '[alova]';
  }
  return err;
}

/** The error for a `{ code, message }` failure the addon delivered as a value. */
function fromFailure(failure, area) {
  return new AlovaError(failure.message, area, failure.code);
}

module.exports = { AlovaError, fromNative, fromFailure, codes };
