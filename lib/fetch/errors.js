'use strict';
// fetch's error shapes for engine failures, each with a stable `code`.
const { AlovaError } = require('../errors');

function withCode(err, code) {
  // DOMException's `code` is an accessor on its prototype: define our own.
  Object.defineProperty(err, 'code', { value: code, writable: true, configurable: true, enumerable: true });
  return err;
}

function abortError() {
  return withCode(new DOMException('This operation was aborted', 'AbortError'), 'ERR_ALOVA_ABORTED');
}

function timeoutError() {
  return withCode(new Error('fetchError: network timeout'), 'ERR_ALOVA_TIMEOUT');
}

/** Turns a `{ code, message }` failure from the engine into the error fetch would give. */
function fromFailure({ code, message }) {
  switch (code) {
    case 'ERR_ALOVA_TIMEOUT':
      return timeoutError();
    case 'ERR_ALOVA_ABORTED':
      return abortError();
    case 'ERR_ALOVA_NETWORK': {
      const cause = withCode(new Error(message), code);
      return withCode(new TypeError('fetch failed', { cause }), code);
    }
    default:
      return new AlovaError(message, 'fetch', code);
  }
}

/** A rejected `HttpBody.read()` carries `ERR_ALOVA_X: message`. */
function fromBodyError(err) {
  const m = /^(ERR_ALOVA_[A-Z_]+): ([\s\S]*)$/.exec(err && err.message);
  return m ? fromFailure({ code: m[1], message: m[2] }) : err;
}

module.exports = { abortError, timeoutError, fromFailure, fromBodyError, withCode };
