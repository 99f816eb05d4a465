// Types of `@alova/native`: the same names and generic parameters as alova's own, so code typed
// against `alova` compiles unchanged after switching the import.

type Dict = Record<string, any>;

/** The type parameters threaded through an instance, its methods and hooks. */
export interface AlovaGenerics<
  R = any,
  T = any,
  RC = any,
  RE = any,
  RH = any,
  L1 extends AlovaGlobalCacheAdapter = any,
  L2 extends AlovaGlobalCacheAdapter = any,
  SE extends StatesExport<any> = any,
> {
  Responded: R;
  Transformed: T;
  RequestConfig: RC;
  Response: RE;
  ResponseHeader: RH;
  L1Cache: L1;
  L2Cache: L2;
  StatesExport: SE;
}

export type RequestBody = Dict | string | FormData | Blob | ArrayBuffer | URLSearchParams | ReadableStream;

export interface RequestElements {
  readonly url: string;
  readonly type: MethodType;
  readonly headers: Dict;
  readonly data?: RequestBody;
}

export type ProgressUpdater = (loaded: number, total: number) => void;

/** A request adapter: called once per network request with the full URL and the method clone. */
export type AlovaRequestAdapter<RequestConfig, Response, ResponseHeader> = (
  elements: RequestElements,
  method: Method<AlovaGenerics<any, any, RequestConfig, Response, ResponseHeader>>,
) => {
  response: () => Promise<Response>;
  headers: () => Promise<ResponseHeader>;
  onDownload?: (handler: ProgressUpdater) => void;
  onUpload?: (handler: ProgressUpdater) => void;
  abort: () => void;
};

type AnyCase<M extends string> = Lowercase<M> | M;
export type Arg = Record<string, any>;
export type StandardMethodType =
  | AnyCase<'GET'>
  | AnyCase<'POST'>
  | AnyCase<'PUT'>
  | AnyCase<'DELETE'>
  | AnyCase<'PATCH'>
  | AnyCase<'OPTIONS'>
  | AnyCase<'HEAD'>;
export type CustomMethodType = string & {};
export type MethodType = StandardMethodType | CustomMethodType;

/** Augment this interface to type `meta`. */
export interface AlovaCustomTypes {
  [customKey: string]: any;
}

/** A cache store; every member may be sync or async. */
export interface AlovaGlobalCacheAdapter {
  set(key: string, value: any): void | Promise<void>;
  get<T>(key: string): T | undefined | Promise<T | undefined>;
  remove(key: string): void | Promise<void>;
  clear(): void | Promise<void>;
}

export interface AlovaStorageAdapterLocker {
  options?: unknown;
  lock(resource: string | string[]): Promise<void>;
  unlock(resource: string | string[]): Promise<void>;
}

export interface CacheEvent {
  type: 'set' | 'get' | 'remove' | 'clear';
  key: string;
  value?: any;
  container: any;
}

export interface EventManager<E extends Record<string, any>> {
  eventMap: { [K in keyof E]?: ((event: E[K]) => any)[] };
  on<K extends keyof E>(type: K, handler: (event: E[K]) => any): () => void;
  off<K extends keyof E>(type: K, handler?: (event: E[K]) => any): void;
  emit<K extends keyof E>(type: K, event: E[K]): any[];
}

export interface AlovaDefaultCacheAdapter extends AlovaGlobalCacheAdapter {
  readonly emitter: EventManager<{ success: CacheEvent; fail: Omit<CacheEvent, 'value'> }>;
}

export type CacheExpire = number | Date | null;
export type CacheMode = 'memory' | 'restore';
export type CacheExpireGetter<AG extends AlovaGenerics> = (event: { method: Method<AG>; mode: CacheMode }) => CacheExpire;
export type DetailCacheConfig<AG extends AlovaGenerics> = {
  expire: CacheExpire | CacheExpireGetter<AG>;
  mode?: CacheMode;
  tag?: string | number;
  /** Extension: ms an expired entry may still be served when a send fails (stale-if-error). */
  staleIfError?: number;
};
export type CacheConfig<AG extends AlovaGenerics> = CacheExpire | DetailCacheConfig<AG>;
export type CacheController<Responded> = () => Responded | undefined | Promise<Responded | undefined>;

export interface MethodRequestConfig {
  params: Dict | string;
  headers: Dict;
}

export type AlovaMethodConfig<AG extends AlovaGenerics, Responded, Transformed> = {
  name?: string | number;
  timeout?: number;
  cacheFor?: CacheConfig<RespondedAlovaGenerics<AG, Responded, Transformed>> | CacheController<Responded>;
  hitSource?: string | RegExp | Method | (string | RegExp | Method)[];
  transform?: (data: Transformed, headers: AG['ResponseHeader']) => Responded | Promise<Responded>;
  shareRequest?: boolean;
  meta?: AlovaCustomTypes['meta'];
} & AG['RequestConfig'];

export type AlovaMethodCreateConfig<AG extends AlovaGenerics, Responded, Transformed> = Partial<MethodRequestConfig> &
  AlovaMethodConfig<AG, Responded, Transformed>;

export type AlovaMethodCommonConfig<AG extends AlovaGenerics, Responded, Transformed> = AlovaMethodCreateConfig<
  AG,
  Responded,
  Transformed
> & { url: string; method?: MethodType; data?: RequestBody };

export type RespondedAlovaGenerics<AG extends AlovaGenerics, Responded, Transformed> = Omit<
  AG,
  'Responded' | 'Transformed'
> & { Responded: Responded; Transformed: Transformed };

export type RespondedHandler<AG extends AlovaGenerics> = (response: AG['Response'], methodInstance: Method<AG>) => any;
export type ResponseErrorHandler<AG extends AlovaGenerics> = (error: any, methodInstance: Method<AG>) => void | Promise<void>;
export type ResponseCompleteHandler<AG extends AlovaGenerics> = (methodInstance: Method<AG>) => any;
export type RespondedHandlerRecord<AG extends AlovaGenerics> = {
  onSuccess?: RespondedHandler<AG>;
  onError?: ResponseErrorHandler<AG>;
  onComplete?: ResponseCompleteHandler<AG>;
};

/** Client-side states integration; on a server only its `name` matters. */
export interface StatesExport<T = any> {
  name: string;
  State: T;
  Computed: T;
  Watched: T;
  StateExport: T;
  ComputedExport: T;
}
export interface StatesHook<SE extends StatesExport<any>> {
  name: SE['name'];
  [member: string]: any;
}

export type GlobalCacheConfig<AG extends AlovaGenerics> = Partial<Record<MethodType, CacheConfig<AG>>> | null;
export type CacheLoggerHandler<AG extends AlovaGenerics> = (
  response: any,
  methodInstance: Method<AG>,
  cacheMode: CacheMode,
  tag: DetailCacheConfig<AG>['tag'],
) => void | Promise<void>;

export interface AlovaOptions<AG extends AlovaGenerics> {
  id?: number | string;
  baseURL?: string;
  statesHook?: StatesHook<AG['StatesExport']>;
  requestAdapter: AlovaRequestAdapter<AG['RequestConfig'], AG['Response'], AG['ResponseHeader']>;
  timeout?: number;
  /** Per-method-type defaults; replaces `{ GET: 300000 }` entirely. */
  cacheFor?: GlobalCacheConfig<AG>;
  /** Default: a bounded native-indexed memory cache (`L1Cache`). */
  l1Cache?: AG['L1Cache'];
  /** Default on a server: a placeholder that rejects reads and writes. */
  l2Cache?: AG['L2Cache'];
  beforeRequest?: (method: Method<AG>) => void | Promise<void>;
  responded?: RespondedHandler<AG> | RespondedHandlerRecord<AG>;
  shareRequest?: boolean;
  cacheLogger?: boolean | null | CacheLoggerHandler<AG>;
  snapshots?: number;
  /** Extension: a pino-compatible logger; cache hits (default cacheLogger) at `debug`, stale serves at `warn`. */
  logger?: AlovaLogger;
}
/** Extension: what `logger` options accept (pino, or any object with these methods). */
export interface AlovaLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export type Progress = { total: number; loaded: number };
export type ProgressHandler = (progress: Progress) => void;

export interface AbortFunction {
  (): Promise<void>;
  a: () => Promise<void>;
}

/** One request. Thenable: `await method` sends it (each then/catch/finally sends anew). */
export declare class Method<AG extends AlovaGenerics = any> extends Promise<AG['Responded']> {
  constructor(
    type: MethodType,
    context: Alova<AG>,
    url: string,
    config?: AlovaMethodCreateConfig<AG, AG['Responded'], AG['Transformed']>,
    data?: RequestBody,
  );
  baseURL: string;
  url: string;
  type: MethodType;
  config: MethodRequestConfig & AlovaMethodConfig<AG, AG['Responded'], AG['Transformed']>;
  data?: RequestBody;
  hitSource?: (string | RegExp)[];
  context: Alova<AG>;
  key: string;
  dhs: ProgressHandler[];
  uhs: ProgressHandler[];
  fromCache: boolean | undefined;
  meta?: AlovaCustomTypes['meta'];
  promise?: Promise<AG['Responded']>;
  send(forceRequest?: boolean): Promise<AG['Responded']>;
  setName(name: string | number): void;
  generateKey(): string;
  abort: AbortFunction;
  onDownload(progressHandler: ProgressHandler): () => void;
  onUpload(progressHandler: ProgressHandler): () => void;
}

export interface MethodFilterHandler<AG extends AlovaGenerics> {
  (method: Method<AG>, index: number, methods: Method<AG>[]): boolean;
}
export type MethodDetaiedFilter<AG extends AlovaGenerics> = { name?: string | RegExp; filter?: MethodFilterHandler<AG> };
export type MethodFilter<AG extends AlovaGenerics> = string | RegExp | MethodDetaiedFilter<AG>;

export declare class MethodSnapshotContainer<AG extends AlovaGenerics> {
  records: Record<string, Set<Method<AG>>>;
  capacity: number;
  occupy: number;
  save(methodInstance: Method<AG>): void;
  match<M extends boolean = true>(matcher: MethodFilter<AG>, matchAll?: M): M extends true ? Method<AG>[] : Method<AG> | undefined;
}

export interface Alova<AG extends AlovaGenerics> {
  id: string;
  options: AlovaOptions<AG>;
  l1Cache: AG['L1Cache'];
  l2Cache: AG['L2Cache'];
  snapshots: MethodSnapshotContainer<AG>;
  Request<Responded = unknown, Transformed = unknown>(
    config: AlovaMethodCommonConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Get<Responded = unknown, Transformed = unknown>(
    url: string,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Post<Responded = unknown, Transformed = unknown>(
    url: string,
    data?: RequestBody,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Put<Responded = unknown, Transformed = unknown>(
    url: string,
    data?: RequestBody,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Delete<Responded = unknown, Transformed = unknown>(
    url: string,
    data?: RequestBody,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Head<Responded = unknown, Transformed = unknown>(
    url: string,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Options<Responded = unknown, Transformed = unknown>(
    url: string,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  Patch<Responded = unknown, Transformed = unknown>(
    url: string,
    data?: RequestBody,
    config?: AlovaMethodCreateConfig<AG, Responded, Transformed>,
  ): Method<RespondedAlovaGenerics<AG, Responded, Transformed>>;
  /** Leaves the global adapter registry and clears the L1 cache. */
  destroy(): void;
}

export interface AlovaGlobalConfig {
  autoHitCache?: 'global' | 'self' | 'close';
  ssr?: boolean | undefined;
}

export interface CacheSetOptions {
  policy?: 'l1' | 'l2' | 'all';
}
export interface CacheQueryOptions {
  policy?: 'l1' | 'l2' | 'all';
}

export declare function createAlova<
  RequestConfig,
  Response,
  ResponseHeader,
  L1Cache extends AlovaGlobalCacheAdapter = AlovaDefaultCacheAdapter,
  L2Cache extends AlovaGlobalCacheAdapter = AlovaDefaultCacheAdapter,
  SE extends StatesExport<any> = StatesExport<any>,
>(
  options: AlovaOptions<AlovaGenerics<any, any, RequestConfig, Response, ResponseHeader, L1Cache, L2Cache, SE>>,
): Alova<AlovaGenerics<any, any, RequestConfig, Response, ResponseHeader, L1Cache, L2Cache, SE>>;

export declare function invalidateCache(matcher?: Method | Method[]): Promise<void>;
export interface UpdateOptions {
  onMatch?: (method: Method) => void;
}
export declare function setCache<AG extends AlovaGenerics>(
  matcher: Method<AG> | Method<AG>[],
  dataOrUpdater: AG['Responded'] | ((oldCache: AG['Responded']) => AG['Responded'] | undefined | void),
  options?: CacheSetOptions,
): Promise<void>;
export declare function queryCache<AG extends AlovaGenerics>(
  matcher: Method<AG>,
  options?: CacheQueryOptions,
): Promise<AG['Responded'] | undefined>;
export declare function hitCacheBySource<AG extends AlovaGenerics>(sourceMethod: Method<AG>): Promise<void>;
export declare const globalConfigMap: Required<AlovaGlobalConfig>;
export declare function globalConfig(config: AlovaGlobalConfig): void;
export declare function promiseStatesHook<SE extends StatesExport<any>>(): StatesHook<SE>;

export interface L1CacheOptions {
  /** Entry limit; least recently used entries are evicted beyond it. 0 = none. Default 100000. */
  maxEntries?: number;
  /** Limit on the estimated size of all values, in bytes. 0 = none. Default 256 MiB. */
  maxBytes?: number;
  /** Expiry in ms for values that carry none (alova entries carry their own). 0 = never. Default 0. */
  ttl?: number;
  /** Size estimator used for `maxBytes`. */
  sizeOf?: (value: any, key: string) => number;
  /** Minimum ms between two background expiry sweeps. Default 1000. */
  sweepInterval?: number;
}

export interface L1CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
}

/**
 * The default L1 cache: a synchronous, bounded, self-expiring memory store whose LRU order,
 * sizes and expiry times live in native code.
 */
export declare class L1Cache implements AlovaDefaultCacheAdapter {
  constructor(options?: L1CacheOptions);
  readonly limits: Readonly<Required<Pick<L1CacheOptions, 'maxEntries' | 'maxBytes' | 'ttl'>>>;
  readonly emitter: EventManager<{ success: CacheEvent; fail: Omit<CacheEvent, 'value'> }>;
  readonly size: number;
  get<T = any>(key: string): T | undefined;
  set(key: string, value: any): void;
  remove(key: string): void;
  clear(): void;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  stats(): L1CacheStats;
  /** Drops expired entries now (a background timer also does it). */
  prune(): void;
}

/** One sample of a metric family, as prom-client's `getMetricsAsJSON()` gives it. */
export interface MetricValue {
  value: number;
  labels: { instance: string; le?: string };
  /** For histograms: the `_bucket`, `_sum` or `_count` series. */
  metricName?: string;
}
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: MetricValue[];
}
/** Extension: the counters of every live HTTP engine, L1, L2, process-shared cache and rate limiter. */
export declare function metrics(): MetricFamily[];
/** Extension: `metrics()` in Prometheus' text exposition format. */
export declare function metricsText(): string;

export declare const nativeVersion: string;

declare const alova: {
  createAlova: typeof createAlova;
  Method: typeof Method;
  invalidateCache: typeof invalidateCache;
  setCache: typeof setCache;
  queryCache: typeof queryCache;
  hitCacheBySource: typeof hitCacheBySource;
  globalConfig: typeof globalConfig;
  globalConfigMap: typeof globalConfigMap;
  promiseStatesHook: typeof promiseStatesHook;
  L1Cache: typeof L1Cache;
  metrics: typeof metrics;
  metricsText: typeof metricsText;
  nativeVersion: string;
};
export default alova;
