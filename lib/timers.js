'use strict';
// Every delay the package schedules (cache sweeps, retry backoff, Retry-After, lock renewal and
// retries, rate-limit spacing, timeouts) goes through here. Node's timers hold at most
// 2^31−1 ms: a longer delay (an entry cached for 30 days, `Retry-After: 3000000`) fires after
// 1 ms with a TimeoutOverflowWarning, and a timer re-armed from its own callback then spins.
// Here a long delay is served by several capped periods; NaN and negative delays are 0.
const { performance } = require('node:perf_hooks');

/** The longest single period Node's timers accept. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay in ms as the timers here take it: NaN, negative and non-numbers are 0. */
function toDelay(ms) {
  const n = Number(ms);
  return n > 0 ? n : 0;
}

/** A one-shot timer for any delay (`Infinity` never fires), with `clear`, `ref`, `unref`. */
class Timer {
  #fn;
  #due;
  #handle = null;
  #unref = false;

  constructor(fn, ms) {
    this.#fn = fn;
    const delay = toDelay(ms);
    this.#due = performance.now() + delay;
    this.#arm(delay);
  }

  #arm(delay) {
    this.#handle = setTimeout(() => this.#fire(), Math.min(delay, MAX_TIMER_MS));
    if (this.#unref) this.#handle.unref();
  }

  #fire() {
    const left = this.#due - performance.now();
    // One capped period of a longer delay has passed: wait for the rest.
    if (left >= 1) return this.#arm(left);
    this.#handle = null;
    this.#fn();
  }

  get active() {
    return this.#handle !== null;
  }

  clear() {
    if (this.#handle) clearTimeout(this.#handle);
    this.#handle = null;
  }

  unref() {
    this.#unref = true;
    if (this.#handle) this.#handle.unref();
    return this;
  }

  ref() {
    this.#unref = false;
    if (this.#handle) this.#handle.ref();
    return this;
  }
}

/** Runs `fn` after `ms` (any length). */
function after(ms, fn) {
  return new Timer(fn, ms);
}

/**
 * Resolves (to `value`) after `ms`, or rejects with the abort reason as soon as `signal`
 * fires. With `unref`, the wait does not keep the process alive.
 */
function sleep(ms, { signal, unref = false, value } = {}) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const timer = after(ms, () => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    if (unref) timer.unref();
    function onAbort() {
      timer.clear();
      reject(signal.reason);
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

module.exports = { MAX_TIMER_MS, toDelay, Timer, after, sleep };
