// Types of @alova/native/psc: alova's process-shared cache (same names as @alova/psc), with
// a native Node transport and a Redis transport across hosts.

/** The storage adapter interface alova's l1Cache/l2Cache use. */
export interface AlovaGlobalCacheAdapter {
  set(key: string, value: any): void | Promise<void>;
  get<T = any>(key: string): T | undefined | Promise<T | undefined>;
  remove(key: string): void | Promise<void>;
  clear(): void | Promise<void>;
}

export type SharedCacheEventType = 'set' | 'remove' | 'clear' | 'init';

export interface SharedCacheEvent {
  scope?: string;
  senderID: string;
  type: SharedCacheEventType;
  key: string;
  value?: any;
}

/** What a sync adapter's `receive` registers; `replyFn` answers the sender only. */
export type SharedEventHandler = (
  event: SharedCacheEvent,
  replyFn?: (event: SharedCacheEvent) => void | Promise<void>,
) => void | Promise<void>;

export interface SyncAdapter {
  send(event: SharedCacheEvent): void | Promise<void>;
  receive(handler: SharedEventHandler): void;
  ready?: Promise<void>;
}

/** A sync adapter whose events travel natively (hub socket or Redis). */
export interface NativeSyncAdapter extends SyncAdapter {
  /**
   * Resolves on the first connection, once every copy attached before it holds the shared
   * entries (a read right after finds them). Once read, it keeps the process alive until then
   * (or `stop()`).
   */
  ready: Promise<void>;
  /** Sends what is queued, then closes the connection. */
  stop(): void;
  readonly connected: boolean;
}

export interface PSCOptions {
  /** Adapters of different scopes never share entries. */
  scope?: string;
}
/** @alova/psc's name for the options of `createPSCAdapter`. */
export type ProcessSharedCacheAdapterOptions = PSCOptions;

/** Limits of the native transports. */
export interface NativePSCOptions {
  /** Largest frame accepted from a peer, in bytes (default 16 MiB). */
  maxFrameBytes?: number;
  /** Entries kept per scope (default 100000); the least recently written are evicted. */
  maxEntries?: number;
  /** Largest JSON value accepted by `set`, in bytes. */
  maxValueBytes?: number;
}

export declare class ExplicitCacheAdapter implements AlovaGlobalCacheAdapter {
  set(key: string, value: any): void;
  get<T = any>(key: string): T | undefined;
  remove(key: string): void;
  clear(): void;
  /** Every entry as a plain object. */
  getCache(): Record<string, any>;
}

export declare class PSCAdapter<C extends AlovaGlobalCacheAdapter = ExplicitCacheAdapter> implements AlovaGlobalCacheAdapter {
  constructor(cacheAdapter: C, syncAdapter: SyncAdapter, options?: PSCOptions);
  readonly id: string;
  readonly cacheAdapter: C;
  readonly syncAdapter: SyncAdapter;
  set(key: string, value: any): Promise<void>;
  get<T = any>(key: string): T | undefined | Promise<T | undefined>;
  /** Extension: this copy's counters since it was made (also in `metrics()`). */
  stats(): { entries?: number; bytes?: number; sets: number; removes: number; received: number; reloads: number };
  remove(key: string): Promise<void>;
  clear(): Promise<void>;
}

export declare function createPSCAdapter<C extends AlovaGlobalCacheAdapter = ExplicitCacheAdapter>(
  syncAdapter: SyncAdapter,
  cacheAdapter?: C,
  options?: PSCOptions,
): PSCAdapter<C>;

export declare function createPSCSynchronizer(syncAdapter: SyncAdapter): void;
export declare function createSyncAdapter<T extends SyncAdapter>(syncAdapter: T): T;

export declare const AlovaIPCID: 'alova-default-channel';

/** Starts the native hub (cluster primary); resolves with `stop()`. */
export declare function createNodePSCSynchronizer(id?: string, options?: NativePSCOptions): Promise<() => void>;

/** A worker's native connection to the hub; `onConnect(stop)` runs on every (re)connection. */
export declare function NodeSyncAdapter(
  onConnect?: (stop: () => void) => void,
  id?: string,
  options?: NativePSCOptions,
): NativeSyncAdapter;

export interface RedisSyncOptions extends NativePSCOptions {
  /** redis:// URL of the server whose pub/sub carries the writes. */
  url: string;
  /** Pub/sub channel (default 'alova-psc'); apps sharing a server use different channels. */
  channel?: string;
  /** Values above this many bytes are published as removals (default 64 KiB). */
  maxPublishBytes?: number;
  onConnect?: (stop: () => void) => void;
}

/** Keeps L1 copies on several hosts consistent through Redis pub/sub. */
export declare function RedisSyncAdapter(options: RedisSyncOptions): NativeSyncAdapter;

/** The parts of Electron's IpcRenderer used here. */
export interface IpcRendererLike {
  send(channel: string, ...args: any[]): void;
  on(channel: string, listener: (event: any, ...args: any[]) => void): any;
}
/** The parts of Electron's IpcMain used here. */
export interface IpcMainLike {
  on(channel: string, listener: (event: any, ...args: any[]) => void): any;
}

export declare function ElectronSyncAdapter(ipcRenderer: IpcRendererLike): SyncAdapter;
export declare function createElectronPSCSynchronizer(ipcMain: IpcMainLike): void;

declare const psc: {
  AlovaIPCID: typeof AlovaIPCID;
  ElectronSyncAdapter: typeof ElectronSyncAdapter;
  ExplicitCacheAdapter: typeof ExplicitCacheAdapter;
  NodeSyncAdapter: typeof NodeSyncAdapter;
  PSCAdapter: typeof PSCAdapter;
  RedisSyncAdapter: typeof RedisSyncAdapter;
  createElectronPSCSynchronizer: typeof createElectronPSCSynchronizer;
  createNodePSCSynchronizer: typeof createNodePSCSynchronizer;
  createPSCAdapter: typeof createPSCAdapter;
  createPSCSynchronizer: typeof createPSCSynchronizer;
  createSyncAdapter: typeof createSyncAdapter;
};
export default psc;
