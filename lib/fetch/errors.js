'use strict';
// fetch's error shapes for engine failures, each with a stable `code`.
const { constants } = require('node:os');
const { AlovaError, codes } = require('../errors');
const { isAlovaCode } = require('../codes');

// The engine tells system failures as Node does: `connect ECONNREFUSED 127.0.0.1:80`,
// `read ECONNRESET`, `getaddrinfo ENOTFOUND host`; and undici's `other side closed`.
const SYSTEM_FAILURE = /^(connect|read|write|getaddrinfo) ([A-Z][A-Z0-9_]*)(?: (.+))?$/;
// A rejected certificate: `tls <OpenSSL's code> <Node's message>`.
const TLS_FAILURE = /^tls ([A-Z][A-Z0-9_]*) (.+)$/;
const DNS_ERRNO = { ENOTFOUND: -3008, EAI_AGAIN: -3001 };

/** Sets `code` on any error, DOMException included (its `code` is a prototype accessor). */
function defineCode(err, code) {
  // DOMException's `code` is an accessor on its prototype: define our own.
  Object.defineProperty(err, 'code', { value: code, writable: true, configurable: true, enumerable: true });
  return err;
}

function abortError() {
  return defineCode(new DOMException('This operation was aborted', 'AbortError'), codes.ABORTED);
}

function timeoutError() {
  return defineCode(new Error('fetchError: network timeout'), codes.TIMEOUT);
}

/** Turns a `{ code, message }` failure from the engine into the error fetch would give. */
function fromFailure({ code, message }) {
  switch (code) {
    case codes.TIMEOUT:
      return timeoutError();
    case codes.ABORTED:
      return abortError();
    case codes.NETWORK:
      return defineCode(new TypeError('fetch failed', { cause: networkCause(message) }), code);
    default:
      return new AlovaError(message, 'fetch', code);
  }
}

/** The `cause` Node's fetch gives for the same failure (`code`, `errno`, `syscall`, ...). */
function networkCause(message) {
  const err = new Error(message);
  if (message === 'other side closed') {
    err.name = 'SocketError';
    return defineCode(err, 'UND_ERR_SOCKET');
  }
  const tls = TLS_FAILURE.exec(message);
  if (tls) {
    err.message = tls[2];
    return defineCode(err, tls[1]);
  }
  const m = SYSTEM_FAILURE.exec(message);
  if (!m) return defineCode(err, codes.NETWORK);
  const [, syscall, code, target] = m;
  err.errno = syscall === 'getaddrinfo' ? DNS_ERRNO[code] : -constants.errno[code];
  err.code = code;
  err.syscall = syscall;
  if (syscall === 'getaddrinfo') err.hostname = target;
  else if (target) {
    const colon = target.lastIndexOf(':');
    err.address = target.slice(0, colon);
    err.port = Number(target.slice(colon + 1));
  }
  return err;
}

/** A rejected `HttpBody.read()`: an Error whose `code` is the engine's. */
function fromBodyError(err) {
  return err && isAlovaCode(err.code) ? fromFailure({ code: err.code, message: err.message }) : err;
}

module.exports = { abortError, timeoutError, fromFailure, fromBodyError, defineCode };
