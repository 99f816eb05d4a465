'use strict';
// What every server hook shares: a handler run once per `send()`, with `then/catch/finally`
// sending anew (as a Method does), and an `abort()` that reaches the request the hook wraps.
// A handler is called with exactly alova's arguments, `(forceRequest)`; our own hooks mark
// theirs with `withSignal` to also receive the send's AbortSignal. `abort()` fires the signals
// of the sends in flight (so retry loops and lock waits stop) and forwards to the target.

const { Method } = require('../core');
const timers = require('../timers');

const kSends = Symbol('alova.sends');
const kWantsSignal = Symbol('alova.wantsSignal');

/** Marks a hook's own handler as `(forceRequest, signal)`. */
function withSignal(handler) {
  handler[kWantsSignal] = true;
  return handler;
}

function abortError() {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** Installs the per-send bookkeeping on `owner` (a HookedMethod or a Sendable). */
function initHook(owner, target, handler) {
  owner.handler = handler;
  Object.defineProperty(owner, kSends, { value: new Set() });
  Object.defineProperty(owner, 'target', { value: target, configurable: true });
  owner.abort = () => abortSends(owner);
}

function runHook(owner, force) {
  const sends = owner[kSends];
  let settle;
  const entry = { ac: new AbortController(), settled: new Promise((r) => (settle = r)) };
  sends.add(entry);
  // An async wrapper (rather than `promise.then(noop, noop)`) so that a rejection nobody
  // handles is still reported as unhandled, as it is for a plain Method.
  const run = async () => {
    try {
      const { handler } = owner;
      return await (handler[kWantsSignal] ? owner.handler(force, entry.ac.signal) : owner.handler(force));
    } finally {
      sends.delete(entry);
      settle();
    }
  };
  return run();
}

/** Aborts the sends in flight; resolves one macrotask after they have settled. */
function abortSends(owner) {
  const sends = [...owner[kSends]];
  if (!sends.length) return Promise.resolve();
  for (const s of sends) s.ac.abort(abortError());
  const target = owner.target;
  if (target && typeof target.abort === 'function') {
    Promise.resolve(target.abort()).catch(noop);
  }
  return Promise.all(sends.map((s) => s.settled)).then(() => new Promise((r) => setTimeout(r)));
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` fires. */
function sleep(ms, signal) {
  return timers.sleep(ms, { signal });
}

/**
 * A hook result that is not a Method (what `sendCaptcha` returns, and what `retry` returns
 * when it wraps one): sendable, thenable and abortable like a HookedMethod.
 */
class Sendable {
  constructor(target, handler) {
    initHook(this, target, handler);
  }

  send(forceRequest) {
    return runHook(this, forceRequest);
  }
}
// Thenable exactly as a Method is: then/catch/finally each send anew.
for (const name of ['then', 'catch', 'finally']) {
  Object.defineProperty(Sendable.prototype, name, { value: Method.prototype[name], writable: true, configurable: true });
}

function noop() {}

module.exports = { Sendable, initHook, runHook, withSignal, sleep, abortError, noop };
