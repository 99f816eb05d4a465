'use strict';
// HTTP headers for a limiter result: `RateLimit-Limit`, `RateLimit-Remaining`,
// `RateLimit-Reset` (seconds until the window resets, as in the IETF RateLimit header fields
// draft) and, on a rejection, `Retry-After` (seconds).
const { AlovaError, codes } = require('../../errors');

const seconds = (ms) => String(Math.max(0, Math.ceil(ms / 1000)));

/** The limit of results an insurance limiter gave (it may differ from the primary's). */
const limits = new WeakMap();
const noteLimit = (res, limit) => {
  if (res !== null && typeof res === 'object') limits.set(res, limit);
  return res;
};
const limitOf = (res, fallback) => (res !== null && typeof res === 'object' && limits.get(res)) ?? fallback;

/** `res`: a result or rejection of `consume()`; `limit`: the limiter's `points`. */
function rateLimitHeaders(res, limit) {
  if (!res || typeof res !== 'object' || typeof res.remainingPoints !== 'number') {
    throw new AlovaError('rateLimitHeaders expects a limiter result', 'RateLimit', codes.INVALID_ARG);
  }
  if (!(typeof limit === 'number' && limit >= 0)) {
    throw new AlovaError('rateLimitHeaders expects the limit (points) as a number >= 0', 'RateLimit', codes.INVALID_ARG);
  }
  const headers = {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, res.remainingPoints)),
  };
  // -1: the record never expires; there is no reset to announce.
  if (res.msBeforeNext >= 0) headers['RateLimit-Reset'] = seconds(res.msBeforeNext);
  if (res.consumedPoints > limit && res.msBeforeNext >= 0) headers['Retry-After'] = seconds(res.msBeforeNext);
  return headers;
}

module.exports = { rateLimitHeaders, noteLimit, limitOf };
