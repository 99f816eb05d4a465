'use strict';
// `insuranceLimiter` (rate-limiter-flexible's semantics): when the primary store fails (an
// Error, e.g. Redis down), the same call goes to the insurance limiter, by default counting in
// this process's memory, instead of failing the request. A rate-limit rejection (not an Error)
// is passed through; the insurance never sees calls the primary answered.
const { AlovaError, codes } = require('../../errors');
const { noteLimit } = require('./headers');

/** Marks `createRateLimiter` results with their options, so one can insure another. */
const OPTIONS = Symbol('alova.rateLimiterOptions');

const METHODS = ['consume', 'penalty', 'reward', 'get', 'set', 'block', 'delete'];

/**
 * The options of the insurance: another `createRateLimiter(...)` result, or its options.
 * Without `storage`, it counts in the alova instance's L1 cache (native memory).
 */
function insuranceOptions(value) {
  if (typeof value === 'function' && value[OPTIONS]) return value[OPTIONS];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  throw new AlovaError('insuranceLimiter must be a createRateLimiter() result or its options', 'RateLimit', codes.INVALID_ARG);
}

/** A limiter with `primary`'s API whose calls fall back to `insurance` when the store fails. */
function insure(primary, insurance, counts) {
  const insured = { points: primary.points, primary, insurance };
  for (const name of METHODS) {
    insured[name] = (...args) => {
      const fallback = (err) => {
        if (!(err instanceof Error)) throw err;
        counts.insured++;
        // Its results (and rejections) carry its own limit for `headers()`.
        return insurance[name](...args).then(
          (res) => noteLimit(res, insurance.points),
          (res) => {
            throw noteLimit(res, insurance.points);
          },
        );
      };
      let result;
      try {
        result = primary[name](...args);
      } catch (err) {
        return Promise.resolve(err).then(fallback);
      }
      return Promise.resolve(result).catch(fallback);
    };
  }
  return insured;
}

module.exports = { OPTIONS, insuranceOptions, insure };
