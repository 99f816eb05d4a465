'use strict';
// Limiter results. When the app has rate-limiter-flexible installed (alova's limiter depends
// on it), results are instances of its RateLimiterRes, so `err instanceof RateLimiterRes`
// holds as with alova; otherwise of our class, with the same shape and serialisation: four
// accessor properties, `toJSON()`/`toString()` with those four, and the same console output.

class RateLimiterRes {
  constructor(remainingPoints = 0, msBeforeNext = 0, consumedPoints = 0, isFirstInDuration = false) {
    this._remainingPoints = remainingPoints;
    this._msBeforeNext = msBeforeNext;
    this._consumedPoints = consumedPoints;
    this._isFirstInDuration = Boolean(isFirstInDuration);
  }

  get remainingPoints() {
    return this._remainingPoints;
  }

  set remainingPoints(p) {
    this._remainingPoints = p;
  }

  get msBeforeNext() {
    return this._msBeforeNext;
  }

  set msBeforeNext(ms) {
    this._msBeforeNext = ms;
  }

  get consumedPoints() {
    return this._consumedPoints;
  }

  set consumedPoints(p) {
    this._consumedPoints = p;
  }

  get isFirstInDuration() {
    return this._isFirstInDuration;
  }

  set isFirstInDuration(v) {
    this._isFirstInDuration = Boolean(v);
  }

  toJSON() {
    return {
      remainingPoints: this.remainingPoints,
      msBeforeNext: this.msBeforeNext,
      consumedPoints: this.consumedPoints,
      isFirstInDuration: this.isFirstInDuration,
    };
  }

  toString() {
    return JSON.stringify(this.toJSON());
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toJSON();
  }
}

let resultClass = null;

/** rate-limiter-flexible's RateLimiterRes as the app resolves it (looked up once), else ours. */
function appResultClass() {
  if (resultClass) return resultClass;
  resultClass = RateLimiterRes;
  const from = [process.cwd()];
  if (require.main && require.main.path) from.push(require.main.path);
  try {
    const theirs = require(require.resolve('rate-limiter-flexible', { paths: from })).RateLimiterRes;
    if (typeof theirs === 'function') resultClass = theirs;
  } catch {
    // not installed in the app: ours
  }
  return resultClass;
}

/** A result in the app's RateLimiterRes class. */
function makeResult(remainingPoints, msBeforeNext, consumedPoints, isFirstInDuration) {
  const Res = appResultClass();
  return new Res(remainingPoints, msBeforeNext, consumedPoints, isFirstInDuration);
}

/**
 * The result for a record `[consumed, expire]` after a change of `changed` points, as
 * alova's limiter store computes it.
 */
function resultOf(limit, changed, consumed, expire, now) {
  const msBeforeNext = expire > 0 ? Math.max(expire - now, 0) : -1;
  const first = !consumed || changed === consumed;
  const points = first ? changed : consumed;
  return makeResult(Math.max(0, limit - points), msBeforeNext, points, first);
}

module.exports = { RateLimiterRes, resultOf, makeResult };
