'use strict';
// alova's error shape: an Error whose name is `[alova]` or `[alova/<area>]`. Errors that come
// from native code keep their stable `code` (ERR_ALOVA_*) and gain the alova name.

class AlovaError extends Error {
  constructor(message, area, code) {
    super(message);
    this.name = area ? `[alova/${area}]` : '[alova]';
    if (code) this.code = code;
  }
}

/** Gives a native error alova's name for `area`, keeping its message, code and stack. */
function fromNative(err, area) {
  if (err && typeof err === 'object' && typeof err.code === 'string' && err.code.startsWith('ERR_ALOVA_')) {
    err.name = area ? `[alova/${area}]` : '[alova]';
  }
  return err;
}

const CODE_PREFIX = /^(ERR_ALOVA_[A-Z_]+): /;

/**
 * Errors from async native calls cannot carry a `code` property, so they carry it as a message
 * prefix (`ERR_ALOVA_TIMEOUT: ...`); this moves it back to `err.code`.
 */
function codeFromMessage(err) {
  const m = err && typeof err.message === 'string' && CODE_PREFIX.exec(err.message);
  if (m) {
    err.code = m[1];
    err.message = err.message.slice(m[0].length);
  }
  return err;
}

module.exports = { AlovaError, fromNative, codeFromMessage };
