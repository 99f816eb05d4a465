// Types for `@alova/native/storage-redis`: a drop-in for `@alova/storage-redis`.
// `require()` gives the class itself (also as `.default`); `import` gives it as the default export.

declare namespace RedisStorageAdapter {
  /** ioredis-style connection options (the subset the native client understands). */
  interface RedisConnectionOptions {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    db?: number;
    /**
     * `redis://[user[:password]@]host:port[/db]`, or `rediss://` for TLS; separate fields
     * override its parts.
     */
    url?: string;
    /** A unix socket to connect to instead of host and port. */
    path?: string;
    /** TLS (rustls); `ca`, `cert`, `key` as PEM. Other tls.connect options are refused. */
    tls?: TlsOptions | true;
    /** Sentinel: the master (or a replica, `role: 'slave'`) of group `name`, found by asking these. */
    sentinels?: Array<{ host?: string; port?: number }>;
    name?: string;
    role?: 'master' | 'slave';
    sentinelUsername?: string;
    sentinelPassword?: string;
    /** ms for one connection attempt (default 1000). */
    connectTimeout?: number;
    /**
     * ioredis tuning options the native client does not need (it reconnects, queues and
     * pipelines by itself) are accepted with no effect: `lazyConnect`, `maxRetriesPerRequest`,
     * `enableReadyCheck`, `enableOfflineQueue`, `retryStrategy`, `reconnectOnError`,
     * `connectionName`, `keepAlive`, `noDelay`, `showFriendlyErrorStack`,
     * `enableAutoPipelining`, `autoResubscribe`, `autoResendUnfulfilledCommands`,
     * `maxLoadingRetryTime`. Any other option throws `ERR_ALOVA_UNSUPPORTED` naming it.
     */
    [option: string]: unknown;
  }

  interface TlsOptions {
    ca?: string | Buffer | Array<string | Buffer>;
    cert?: string | Buffer | Array<string | Buffer>;
    key?: string | Buffer | Array<string | Buffer>;
    /** `false` accepts any certificate. Default true. */
    rejectUnauthorized?: boolean;
    /** The name to check the certificate against when it differs from `host`. */
    servername?: string;
  }

  type Callback<T> = (err: Error | null, result?: T) => void;
  type Arg = string | number | Buffer;

  /**
   * What `adapter.client` is when the adapter made its own connection: an ioredis-compatible
   * facade over it. Events `connect`, `ready`, `error`, `close`, `reconnecting`, `end`;
   * replies shaped as ioredis shapes them (`'OK'`, numbers, `null`, objects for `hgetall`).
   * Error replies reject with `name === 'ReplyError'`.
   */
  interface RedisLikeClient {
    readonly status: 'connecting' | 'connect' | 'ready' | 'close' | 'reconnecting' | 'end';
    readonly isCluster: boolean;
    on(event: 'connect' | 'ready' | 'close' | 'end', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'reconnecting', listener: (delay: number) => void): this;
    on(event: 'message', listener: (channel: string, message: string) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
    off(event: string | symbol, listener: (...args: any[]) => void): this;
    removeListener(event: string | symbol, listener: (...args: any[]) => void): this;
    removeAllListeners(event?: string | symbol): this;
    emit(event: string | symbol, ...args: any[]): boolean;
    listenerCount(event: string | symbol): number;
    /** Sends QUIT and closes the connection (the adapter's too); resolves `'OK'`. */
    quit(callback?: Callback<'OK'>): Promise<'OK'>;
    /** Closes the connection (the adapter's too) at once. */
    disconnect(): void;
    /** Any command: `call('SET', 'k', 'v')`. */
    call(command: string, ...args: Array<Arg | Arg[] | Callback<unknown>>): Promise<unknown>;
    get(key: string, callback?: Callback<string | null>): Promise<string | null>;
    set(key: string, value: Arg, ...args: Array<Arg | Callback<'OK' | string | null>>): Promise<'OK' | string | null>;
    del(...keys: Array<string | string[] | Callback<number>>): Promise<number>;
    unlink(...keys: Array<string | string[] | Callback<number>>): Promise<number>;
    exists(...keys: Array<string | string[] | Callback<number>>): Promise<number>;
    expire(key: string, seconds: number | string, ...args: Array<Arg | Callback<number>>): Promise<number>;
    pexpire(key: string, ms: number | string, ...args: Array<Arg | Callback<number>>): Promise<number>;
    ttl(key: string, callback?: Callback<number>): Promise<number>;
    pttl(key: string, callback?: Callback<number>): Promise<number>;
    incr(key: string, callback?: Callback<number>): Promise<number>;
    incrby(key: string, increment: number | string, callback?: Callback<number>): Promise<number>;
    decr(key: string, callback?: Callback<number>): Promise<number>;
    decrby(key: string, decrement: number | string, callback?: Callback<number>): Promise<number>;
    mget(...keys: Array<string | string[] | Callback<Array<string | null>>>): Promise<Array<string | null>>;
    hget(key: string, field: string, callback?: Callback<string | null>): Promise<string | null>;
    hset(key: string, ...args: Array<Arg | Record<string, Arg> | Map<string, Arg> | Callback<number>>): Promise<number>;
    hdel(key: string, ...fields: Array<string | Callback<number>>): Promise<number>;
    hgetall(key: string, callback?: Callback<Record<string, string>>): Promise<Record<string, string>>;
    eval(script: string, numKeys: number | string, ...args: Array<Arg | Arg[] | Callback<unknown>>): Promise<unknown>;
    evalsha(sha1: string, numKeys: number | string, ...args: Array<Arg | Arg[] | Callback<unknown>>): Promise<unknown>;
    publish(channel: string, message: Arg, callback?: Callback<number>): Promise<number>;
    ping(callback?: Callback<string>): Promise<string>;
    /** Resolves how many channels are subscribed; messages come as `message` events. */
    subscribe(...channels: Array<string | Callback<number>>): Promise<number>;
    unsubscribe(...channels: Array<string | Callback<number>>): Promise<number>;
    [command: string]: any;
  }

  /** A Redis Cluster node as ioredis accepts it. */
  type ClusterNode = string | number | { host?: string; port?: number };

  interface CircuitBreakerOptions {
    /** Consecutive failures (unreachable or timed out) that open the circuit. Default 5. */
    threshold?: number;
    /** ms the circuit stays open before one probe call is let through. Default 1000. */
    cooldown?: number;
  }

  /** Redlock-compatible retry settings for `locker.lock()`. */
  interface RedlockOptions {
    /** Retries after the first attempt (default 10; -1 retries forever). */
    retryCount?: number;
    /** ms between attempts (default 200). */
    retryDelay?: number;
    /** Random extra ms added to each delay (default 200). */
    retryJitter?: number;
    [option: string]: unknown;
  }

  interface CommonOptions {
    /** Prefix of every cache key in Redis. Default `alova:`. */
    keyPrefix?: string;
    redlockOptions?: RedlockOptions;
    /** Accepted for compatibility; one Redis (or one cluster) serves every lock. */
    redlockFilter?: (client: unknown) => boolean;
    /** Lock lifetime in ms, renewed while the lock is held. Default 5000. */
    redlockTTL?: number;
    /** ms one operation may take before it fails with `ERR_ALOVA_TIMEOUT`. Default 1000. */
    commandTimeout?: number;
    /**
     * When a read fails (Redis down, slow, circuit open), resolve `undefined` (a cache miss, so
     * alova goes to the network) instead of rejecting. Default true. Writes always reject.
     */
    failOpen?: boolean;
    /** Circuit breaker settings, or `false` to call Redis whatever happened before. */
    circuitBreaker?: CircuitBreakerOptions | false;
    /** Told about every failure a `failOpen` read turned into a miss. */
    onError?: (error: Error & { code?: string }, info: { op: 'get'; key: string }) => void;
    /** Extension: a pino-compatible logger; a failed read is logged at `warn`. */
    logger?: import('../index').AlovaLogger;
  }

  /**
   * A connection to use instead of creating one: another adapter's `.client` (sharing its
   * connection), an ioredis `Redis`/`Cluster` or node-redis v4 client (driven through its raw
   * command call), or any object with `get`, `set` and `del` methods (driven through its
   * per-command methods; `clear()` also needs `scan` and `unlink`, locks and `eval()` need
   * `evalsha` and `eval`).
   */
  type ClientLike =
    | RedisLikeClient
    | { call(...args: any[]): Promise<unknown> }
    | { sendCommand(args: string[]): Promise<unknown>; isOpen: boolean }
    | { get(key: string): unknown; set(key: string, value: string, ...args: any[]): unknown; del(key: string): unknown };

  type RedisStorageAdapterOptions =
    | (CommonOptions & RedisConnectionOptions)
    | (CommonOptions & { nodes: ClusterNode[]; options?: { redisOptions?: { username?: string; password?: string; connectTimeout?: number }; [option: string]: unknown } })
    | (CommonOptions & { client: ClientLike });

  /** A lock per resource name, used by alova's `atomize`. */
  class RedisLocker {
    readonly options?: RedlockOptions;
    readonly ttl: number;
    /**
     * Takes the lock on every resource (all or nothing), retrying like Redlock; rejects with
     * code `ERR_ALOVA_LOCKED` when it stays busy. Held locks are extended until unlocked.
     */
    lock(resource: string | string[]): Promise<void>;
    /**
     * Releases locks this locker holds (others are ignored); rejects with
     * `ERR_ALOVA_LOCK_LOST` if a lock expired and was lost before the release.
     */
    unlock(resource: string | string[]): Promise<void>;
  }

  type ScriptReply = number | string | null | ScriptReply[];

  export {
    RedisStorageAdapter as default,
    RedisStorageAdapter,
    RedisConnectionOptions,
    ClusterNode,
    CircuitBreakerOptions,
    RedlockOptions,
    CommonOptions,
    TlsOptions,
    RedisLikeClient,
    ClientLike,
    RedisStorageAdapterOptions,
    RedisLocker,
    ScriptReply,
  };
}

declare class RedisStorageAdapter {
  constructor(options?: RedisStorageAdapter.RedisStorageAdapterOptions);
  readonly name: 'adapterRedis';
  readonly keyPrefix: string;
  /**
   * The Redis client, as @alova/storage-redis exposes it: the client passed as `client`, or an
   * ioredis-compatible facade over the adapter's own connection.
   */
  readonly client: RedisStorageAdapter.RedisLikeClient;
  readonly isCluster: boolean;
  /** Circuit breaker state. */
  readonly health: { state: 'closed' | 'open' | 'half-open'; failures: number };
  /** Extension: this adapter's counters since it was made (also in `metrics()`). */
  stats(): {
    hits: number;
    misses: number;
    errors: number;
    breaker: 'closed' | 'open' | 'half-open';
    breakerOpen: boolean;
    /** Cumulative counts per upper bound in seconds (`+Inf` last). */
    latency: { buckets: { le: string; count: number }[]; sum: number; count: number };
  };
  set(key: string, value: any): Promise<void>;
  get<T = any>(key: string): Promise<T | undefined>;
  remove(key: string): Promise<void>;
  /**
   * Deletes the cache entries under `keyPrefix` (alova's `$a.` entries and hit-source index);
   * rate-limit, captcha and lock records stay.
   */
  clear(): Promise<void>;
  /**
   * Runs a Lua script atomically (EVALSHA, falling back to EVAL). `keys` get no prefix.
   * Reply: integer → number, bulk/status → string, nil → null, array → array. Rejects with
   * `ERR_ALOVA_REDIS` (script error), `ERR_ALOVA_REDIS_UNAVAILABLE` (Redis unreachable) or
   * `ERR_ALOVA_TIMEOUT`.
   */
  eval<T extends RedisStorageAdapter.ScriptReply = RedisStorageAdapter.ScriptReply>(script: string, keys?: string[], args?: (string | number)[]): Promise<T>;
  readonly locker: RedisStorageAdapter.RedisLocker;
  /** Closes the connection the adapter created (a client passed in stays open). */
  close(): void;
}

export = RedisStorageAdapter;
