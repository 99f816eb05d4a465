'use strict';
// alova's backoff: `delay * multiplier^(n-1)`, with jitter in [start, end] quiver when either
// quiver is set (then floored).

/** Delay in ms before retry number `n` (1-based) under `policy`. */
function delayWithBackoff(policy, n) {
  const { delay, multiplier = 1 } = policy;
  let ms = (delay || 0) * multiplier ** (n - 1);
  let { startQuiver, endQuiver } = policy;
  if (startQuiver || endQuiver) {
    startQuiver = startQuiver || 0;
    endQuiver = endQuiver || 1;
    ms = Math.floor(ms + ms * startQuiver + Math.random() * ms * (endQuiver - startQuiver));
  }
  return ms;
}

/**
 * Milliseconds a `Retry-After` value asks to wait (delta-seconds or an HTTP date), or
 * undefined when absent or malformed.
 */
function parseRetryAfter(value, now = Date.now()) {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

module.exports = { delayWithBackoff, parseRetryAfter };
