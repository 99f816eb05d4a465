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
    /** `redis://[user[:password]@]host:port[/db]`; separate fields override its parts. */
    url?: string;
    /** ms for one connection attempt (default 1000). */
    connectTimeout?: number;
    /** Other ioredis options are accepted and ignored. */
    [option: string]: unknown;
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
    logger?: import('./index').AlovaLogger;
  }

  /**
   * A connection to use instead of creating one: a native `RedisClient` (e.g. another
   * adapter's `.client`, sharing its connection), or a JS client (ioredis `Redis`/`Cluster`,
   * node-redis v4 client) that the adapter drives through its raw command call.
   */
  type ClientLike = RedisClient | { call(...args: any[]): Promise<unknown>; status: string } | { sendCommand(args: string[]): Promise<unknown>; isOpen: boolean };

  type RedisStorageAdapterOptions =
    | (CommonOptions & RedisConnectionOptions)
    | (CommonOptions & { nodes: ClusterNode[]; options?: { redisOptions?: { username?: string; password?: string; connectTimeout?: number }; [option: string]: unknown } })
    | (CommonOptions & { client: ClientLike });

  /** The native connection (one multiplexed connection, or a cluster connection). */
  class RedisClient {
    private constructor();
    readonly isCluster: boolean;
    close(): void;
  }

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
    ClientLike,
    RedisStorageAdapterOptions,
    RedisClient,
    RedisLocker,
    ScriptReply,
  };
}

declare class RedisStorageAdapter {
  constructor(options?: RedisStorageAdapter.RedisStorageAdapterOptions);
  readonly name: 'adapterRedis';
  readonly keyPrefix: string;
  /** The native `RedisClient`, or the client passed in. */
  readonly client: unknown;
  readonly isCluster: boolean;
  /** Circuit breaker state. */
  readonly health: { state: 'closed' | 'open' | 'half-open'; failures: number };
  set(key: string, value: any): Promise<void>;
  get<T = any>(key: string): Promise<T | undefined>;
  remove(key: string): Promise<void>;
  /** Deletes every key under `keyPrefix` (SCAN + UNLINK); resolves how many. */
  clear(): Promise<number>;
  /**
   * Runs a Lua script atomically (EVALSHA, falling back to EVAL). `keys` get no prefix.
   * Reply: integer → number, bulk/status → string, nil → null, array → array. Rejects with
   * `ERR_ALOVA_REDIS` (script error, Redis unreachable) or `ERR_ALOVA_TIMEOUT`.
   */
  eval<T extends RedisStorageAdapter.ScriptReply = RedisStorageAdapter.ScriptReply>(script: string, keys?: string[], args?: (string | number)[]): Promise<T>;
  readonly locker: RedisStorageAdapter.RedisLocker;
  /** Closes the connection the adapter created (a client passed in stays open). */
  close(): void;
}

export = RedisStorageAdapter;
