'use strict';
// createRateLimiter: alova's options and LimitedMethod API with rate-limiter-flexible's
// semantics, fixed: every consume is one atomic step in its store (exactly `points` pass under
// any concurrency), durations stay in milliseconds (alova floors them to seconds), and
// `store` is accepted as an alias of `storage`.
const { randomUUID } = require('node:crypto');
const { AlovaError, codes } = require('../../errors');
const { HookedMethod, expectMethod } = require('../hooked-method');
const { abortError, withSignal } = require('../sendable');
const { resultOf, makeResult, RateLimiterRes } = require('./result');
const { storeFor } = require('./stores');
const { sleep } = require('../../timers');
const { OPTIONS, insuranceOptions, insure } = require('./insurance');
const { rateLimitHeaders, limitOf } = require('./headers');
const { register } = require('../../metrics/registry');

const isThenable = (v) => !!v && typeof v.then === 'function';

/** NaN would poison a record for its whole window and a negative consume would add points. */
function badPoints(points, name, positive) {
  if (Number.isFinite(points) && (positive ? points > 0 : points >= 0)) return null;
  const what = positive ? 'a positive' : 'a non-negative';
  return Promise.reject(new AlovaError(`${name}: points must be ${what} finite number, got ${String(points)}`, 'RateLimit', codes.INVALID_ARG));
}

class Limiter {
  constructor(store, options, counts) {
    const { points = 4, duration = 4000, keyPrefix, execEvenly, execEvenlyMinDelayMs, blockDuration } = options;
    if (keyPrefix !== undefined && typeof keyPrefix !== 'string') throw new Error('keyPrefix must be string');
    this.store = store;
    this.counts = counts;
    this.points = points >= 0 ? points : 4;
    this.durationMs = duration === undefined ? 1000 : duration;
    this.blockMs = blockDuration > 0 ? blockDuration : 0;
    this.keyPrefix = keyPrefix === undefined ? 'rlflx' : keyPrefix;
    this.execEvenly = Boolean(execEvenly);
    this.execEvenlyMinDelayMs =
      execEvenlyMinDelayMs === undefined ? Math.ceil(this.durationMs / this.points) : execEvenlyMinDelayMs;
  }

  key(key) {
    return this.keyPrefix.length > 0 ? `${this.keyPrefix}:${key}` : String(key);
  }

  consume(key, points = 1) {
    const bad = badPoints(points, 'consume', true);
    if (bad) return bad;
    const now = Date.now();
    const rec = this.store.consume(this.key(key), points, this.durationMs, this.points, this.blockMs, now);
    if (!isThenable(rec)) return this.#afterConsume(rec, points, now);
    return rec.then(
      (r) => this.#afterConsume(r, points, Date.now()),
      (err) => {
        this.counts.errors++;
        throw err;
      },
    );
  }

  #afterConsume([consumed, expire], changed, now) {
    const res = resultOf(this.points, changed, consumed, expire, now);
    if (res.consumedPoints > this.points) {
      // the store already extended the window on this first excess
      if (this.blockMs > 0 && res.consumedPoints <= this.points + changed) res.msBeforeNext = this.blockMs;
      this.counts.rejected++;
      return Promise.reject(res);
    }
    this.counts.consumed++;
    if (this.execEvenly && res.msBeforeNext > 0 && !res.isFirstInDuration) {
      let delay = Math.ceil(res.msBeforeNext / (res.remainingPoints + 2));
      if (delay < this.execEvenlyMinDelayMs) delay = res.consumedPoints * this.execEvenlyMinDelayMs;
      return sleep(delay, { value: res });
    }
    return Promise.resolve(res);
  }

  #change(key, points) {
    return Promise.resolve(this.store.upsert(this.key(key), points, this.durationMs, false, Date.now())).then(
      ([consumed, expire]) => resultOf(this.points, points, consumed, expire, Date.now()),
    );
  }

  penalty(key, points = 1) {
    const bad = badPoints(points, 'penalty', false);
    if (bad) return bad;
    return this.#change(key, points);
  }

  reward(key, points = 1) {
    const bad = badPoints(points, 'reward', false);
    if (bad) return bad;
    return this.#change(key, -points);
  }

  get(key) {
    return Promise.resolve(this.store.get(this.key(key), Date.now())).then((rec) =>
      rec ? resultOf(this.points, 0, rec[0], rec[1], Date.now()) : null,
    );
  }

  /** A forced record `[points, now + ms]` (`ms <= 0` never expires), as rate-limiter-flexible's _block. */
  force(key, points, ms) {
    return Promise.resolve(this.store.upsert(this.key(key), points, ms, true, Date.now())).then(
      () => makeResult(0, ms > 0 ? ms : -1, points),
    );
  }

  set(key, points, ms) {
    return this.force(key, points, ms >= 0 ? ms : this.durationMs);
  }

  block(key, ms) {
    return this.force(key, this.points + 1, ms);
  }

  /** Rejects when the store fails, so an insurance limiter can take over; see LimitedMethod. */
  delete(key) {
    return Promise.resolve()
      .then(() => this.store.remove(this.key(key)))
      .then(() => true);
  }
}

/**
 * A method whose send consumes one point first; its other methods act on the limiter for the
 * method's key. A rejected consume rejects the send with the RateLimiterRes, unsent.
 */
class LimitedMethod extends HookedMethod {
  constructor(method, limiterKey, limiter) {
    super(
      method,
      withSignal((force, signal) =>
        this.consume().then(() => {
          if (signal.aborted) throw abortError();
          return method.send(force);
        }),
      ),
    );
    this.limiter = limiter;
    this.keyGetter = typeof limiterKey === 'function' ? () => limiterKey(method) : () => limiterKey;
  }

  getLimiterKey() {
    return this.keyGetter();
  }

  get() {
    return this.limiter.get(this.getLimiterKey());
  }

  set(points, msDuration) {
    return this.limiter.set(this.getLimiterKey(), points, msDuration);
  }

  consume(points) {
    return this.limiter.consume(this.getLimiterKey(), points);
  }

  penalty(points) {
    return this.limiter.penalty(this.getLimiterKey(), points);
  }

  reward(points) {
    return this.limiter.reward(this.getLimiterKey(), points);
  }

  block(msDuration) {
    return this.limiter.block(this.getLimiterKey(), msDuration);
  }

  /** `true`, or `false` when the store (and the insurance, if any) failed to remove the record. */
  delete() {
    return this.limiter.delete(this.getLimiterKey()).catch((err) => {
      if (err instanceof Error) return false;
      throw err;
    });
  }

  /** `RateLimit-*` (and on a rejection `Retry-After`) headers for a result of this limiter. */
  headers(res) {
    return rateLimitHeaders(res, limitOf(res, this.limiter.points));
  }
}

function createRateLimiter(options = {}) {
  const insurance = options.insuranceLimiter === undefined ? undefined : insuranceOptions(options.insuranceLimiter);
  // Shared by every method this limiter wraps; read by `stats()` and `metrics()`.
  const counts = { consumed: 0, rejected: 0, errors: 0, insured: 0 };
  const factory = (method, handlerOptions = {}) => {
    expectMethod(method, 'RateLimit');
    const { key = randomUUID() } = handlerOptions;
    const storage = options.storage ?? options.store ?? method.context.options.l2Cache;
    if (!storage) throw new AlovaError('storage is not define', 'RateLimit', codes.INVALID_ARG);
    const limiter = new Limiter(storeFor(storage), options, counts);
    if (!insurance) return new LimitedMethod(method, key, limiter);
    const spare = insurance.storage ?? insurance.store ?? method.context.l1Cache;
    return new LimitedMethod(method, key, insure(limiter, new Limiter(storeFor(spare), insurance, counts), counts));
  };
  factory[OPTIONS] = options;
  /** `{ consumed, rejected, errors, insured }` over every method this limiter wrapped. */
  factory.stats = () => ({ ...counts });
  register('ratelimit', factory);
  return factory;
}

module.exports = { createRateLimiter, LimitedMethod, RateLimiterRes, rateLimitHeaders };
