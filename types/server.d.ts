import type { AlovaGenerics, AlovaGlobalCacheAdapter, Method } from '../index';

type RequestHandler<Responded> = (forceRequest?: boolean, signal?: AbortSignal) => Promise<Responded>;

/**
 * A Method whose send runs a hook. `abort()` reaches the wrapped request and stops the hook's
 * own waiting (retry backoff, lock wait).
 */
export declare class HookedMethod<AG extends AlovaGenerics = any> extends Method<AG> {
  constructor(entity: Method<AG>, requestHandler: RequestHandler<AG['Responded']>);
  send(forceRequest?: boolean): Promise<AG['Responded']>;
}

/** What sendCaptcha returns: already sending (await it), and sendable again by `retry`. */
export interface CaptchaSending<R = any> extends PromiseLike<R> {
  send(forceRequest?: boolean): Promise<R>;
  catch<T = never>(onRejected?: ((reason: any) => T | PromiseLike<T>) | null): Promise<R | T>;
  finally(onFinally?: (() => void) | null): Promise<R>;
  abort(): Promise<void>;
}

export interface BackoffPolicy {
  /** Delay of the first retry in ms. @default 1000 when `backoff` is omitted */
  delay?: number;
  /** Factor applied to the delay for each further retry. @default 1 */
  multiplier?: number;
  /** Lower bound of random jitter, as a fraction of the delay. */
  startQuiver?: number;
  /** Upper bound of random jitter, as a fraction of the delay. */
  endQuiver?: number;
}

export interface RetryOptions {
  /** Retries per send, or a predicate called with each error. @default 3 */
  retry?: number | ((error: any) => boolean);
  backoff?: BackoffPolicy;
  /** Retry only errors whose `status` (or `statusCode`, `response.status`) is listed. */
  statusCodes?: number[];
  /** Retry only errors with one of these `code`s along the `cause` chain (ECONNRESET, ...). */
  errorCodes?: string[];
  /** Wait at least what the error response's `Retry-After` asks. @default false */
  retryAfter?: boolean;
  /** Longest wait between attempts in ms; a longer `Retry-After` ends the retries. */
  maxDelay?: number;
}

export declare function retry<AG extends AlovaGenerics>(method: Method<AG>, options?: RetryOptions): HookedMethod<AG>;
export declare function retry<R>(sending: CaptchaSending<R>, options?: RetryOptions): CaptchaSending<R>;

export interface AtomizeOptions {
  /** @default 'default' */
  channel?: string | string[];
  /** ms to keep trying to acquire the lock. @default 5000 */
  timeout?: number;
  /** ms between attempts. @default 100 */
  interval?: number;
}
export declare function atomize<AG extends AlovaGenerics>(method: Method<AG>, options?: AtomizeOptions): HookedMethod<AG>;

export interface CaptchaCodeSet {
  chars?: (string | number)[];
  length?: number;
}
export type CaptchaCodeSetType = (string | number)[] | CaptchaCodeSet | (() => string);
export interface CaptchaProviderOptions {
  /** @default 60000 */
  resetTime?: number;
  /** @default 300000 */
  expireTime?: number;
  /** @default 'alova-captcha' */
  keyPrefix?: string;
  store: AlovaGlobalCacheAdapter;
  /** @default false */
  resendFormStore?: boolean;
  codeSet?: CaptchaCodeSetType;
}
export declare function createCaptchaProvider(options: CaptchaProviderOptions): {
  sendCaptcha<R = any>(
    methodHandler: (code: string, key: string) => Method<any> | PromiseLike<R> | R,
    options: { key: string },
  ): CaptchaSending<R>;
  verifyCaptcha(code: string, key: string): Promise<boolean>;
};

export interface RateLimiterRes {
  readonly remainingPoints: number;
  readonly msBeforeNext: number;
  readonly consumedPoints: number;
  readonly isFirstInDuration: boolean;
  toJSON(): { remainingPoints: number; msBeforeNext: number; consumedPoints: number; isFirstInDuration: boolean };
}

export interface RateLimitOptions {
  /** @default 4 */
  points?: number;
  /** Window length in ms (kept to the millisecond). @default 4000 */
  duration?: number;
  /** @default 'rlflx' */
  keyPrefix?: string;
  execEvenly?: boolean;
  execEvenlyMinDelayMs?: number;
  /** ms the window is extended by on the first excess. */
  blockDuration?: number;
  /** Defaults to the alova instance's l2Cache. */
  storage?: AlovaGlobalCacheAdapter;
  /** Alias of `storage`. */
  store?: AlovaGlobalCacheAdapter;
  /** Extension: answers instead when the store fails (default storage: the instance's L1 cache). */
  insuranceLimiter?: RateLimitOptions | ReturnType<typeof createRateLimiter>;
}
/** Extension: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, and `Retry-After` on a rejection. */
export type RateLimitHeaders = Record<'RateLimit-Limit' | 'RateLimit-Remaining', string> &
  Partial<Record<'RateLimit-Reset' | 'Retry-After', string>>;
export declare function rateLimitHeaders(res: RateLimiterRes, limit: number): RateLimitHeaders;
export interface LimitHandlerOptions<AG extends AlovaGenerics> {
  key?: string | ((method: Method<AG>) => string);
}
/** The result of a limiter (type only, as in alova). */
export interface LimitedMethod<AG extends AlovaGenerics = any> extends HookedMethod<AG> {
  get(options?: Record<string, any>): Promise<RateLimiterRes | null>;
  set(points: number, msDuration: number): Promise<RateLimiterRes>;
  /** Rejects with a RateLimiterRes (not an Error) when over the limit. */
  consume(points?: number): Promise<RateLimiterRes>;
  penalty(points?: number): Promise<RateLimiterRes>;
  reward(points?: number): Promise<RateLimiterRes>;
  block(msDuration: number): Promise<RateLimiterRes>;
  delete(): Promise<boolean>;
  /** Extension: the headers for a result of this limiter. */
  headers(res: RateLimiterRes): RateLimitHeaders;
}
/** Extension: counts over every method a limiter wrapped (also in `metrics()`). */
export interface RateLimiterStats {
  consumed: number;
  rejected: number;
  errors: number;
  insured: number;
}
export declare function createRateLimiter(
  options?: RateLimitOptions,
): (<AG extends AlovaGenerics>(method: Method<AG>, handlerOptions?: LimitHandlerOptions<AG>) => LimitedMethod<AG>) & {
  stats(): RateLimiterStats;
};
