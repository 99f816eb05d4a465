'use strict';
// RateLimiterRes with the shape and serialisation of rate-limiter-flexible's: four accessor
// properties, `toJSON()`/`toString()` with those four, and the same console output.

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

/**
 * The result for a record `[consumed, expire]` after a change of `changed` points, as
 * alova's limiter store computes it.
 */
function resultOf(limit, changed, consumed, expire, now) {
  const msBeforeNext = expire > 0 ? Math.max(expire - now, 0) : -1;
  const first = !consumed || changed === consumed;
  const points = first ? changed : consumed;
  return new RateLimiterRes(Math.max(0, limit - points), msBeforeNext, points, first);
}

module.exports = { RateLimiterRes, resultOf };
