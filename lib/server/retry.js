'use strict';
// retry(method, options): alova's options and backoff, with attempts counted per send()
// (alova shares one counter by every send of the returned method). Opt-in filters in the
// manner of got/undici: `statusCodes`, `errorCodes`, `retryAfter`, `maxDelay`.
const { hookOf } = require('./hooked-method');
const { delayWithBackoff, parseRetryAfter } = require('./backoff');
const { sleep, withSignal } = require('./sendable');

const isNumber = (v) => typeof v === 'number' && !Number.isNaN(v);

/** HTTP status carried by an error: `status`, `statusCode` or `response.status`. */
function statusOf(error) {
  if (!error || typeof error !== 'object') return undefined;
  const s = error.status ?? error.statusCode ?? (error.response && error.response.status);
  return isNumber(s) ? s : undefined;
}

/** Network error codes along the `cause` chain (`ECONNRESET`, `UND_ERR_SOCKET`, ...). */
function codesOf(error) {
  const codes = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

function headerOf(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const found = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
}

/** The Retry-After of an error's response (`error.response.headers` or `error.headers`). */
function retryAfterOf(error) {
  if (!error || typeof error !== 'object') return undefined;
  const headers = (error.response && error.response.headers) || error.headers;
  return parseRetryAfter(headerOf(headers, 'retry-after'));
}

function retry(method, options = {}) {
  const {
    retry: limit = 3,
    backoff = { delay: 1000 },
    statusCodes,
    errorCodes,
    retryAfter = false,
    maxDelay,
  } = options;
  const filtered = Array.isArray(statusCodes) || Array.isArray(errorCodes);

  const allowedByFilters = (error) => {
    if (!filtered) return true;
    const status = statusOf(error);
    if (Array.isArray(statusCodes) && status !== undefined && statusCodes.includes(status)) return true;
    return Array.isArray(errorCodes) && codesOf(error).some((c) => errorCodes.includes(c));
  };

  /** Delay before retry `n`, or -1 when the server asks to wait longer than `maxDelay`. */
  const delayFor = (error, n) => {
    let ms = delayWithBackoff(backoff, n);
    const capped = isNumber(maxDelay) && maxDelay >= 0;
    if (retryAfter) {
      const asked = retryAfterOf(error);
      if (asked !== undefined) {
        if (capped && asked > maxDelay) return -1;
        ms = Math.max(ms, asked);
      }
    }
    return capped ? Math.min(ms, maxDelay) : ms;
  };

  return hookOf(method, withSignal(async (forceRequest, signal) => {
    for (let retries = 0; ; ) {
      try {
        return await method.send(forceRequest);
      } catch (error) {
        if (signal.aborted) throw error;
        const again = isNumber(limit) ? retries < limit : limit(error);
        if (!again || !allowedByFilters(error)) throw error;
        retries += 1;
        const ms = delayFor(error, retries);
        if (ms < 0) throw error;
        await sleep(ms, signal);
      }
    }
  }));
}

module.exports = { retry };
