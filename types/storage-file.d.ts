// Types for `@alova/native/storage-file`: a drop-in for `@alova/storage-file`.
// `require()` gives the class itself (also as `.default`); `import` gives it as the default export.

declare namespace FileStorageAdapter {
  /** proper-lockfile-compatible lock options. */
  interface LockerOptions {
    /** ms after which a lock whose holder stopped refreshing it may be taken over (min 2000, default 10000). */
    stale?: number;
    /** ms between refreshes of a held lock (default stale / 2). */
    update?: number;
    /** Attempts after the first, or `{ retries, minTimeout, maxTimeout, factor }` (default 0). */
    retries?: number | { retries?: number; minTimeout?: number; maxTimeout?: number; factor?: number };
    /** `false`: only create the storage directory, not the per-resource one. */
    realpath?: boolean;
    /** Called when a held lock was removed or taken over (default: a process warning). */
    onCompromised?: (error: Error) => void;
    [option: string]: unknown;
  }

  interface FileStorageAdapterOptions {
    directory: string;
    lockerOptions?: LockerOptions;
    /** Extension: a pino-compatible logger; a compromised lock is logged at `error`. */
    logger?: import('../index').AlovaLogger;
  }

  /** Locks across processes on one machine; used by alova's `atomize`. */
  class FileLocker {
    readonly options: LockerOptions;
    /** Rejects with code `ELOCKED` ("Lock file is already being held") when held elsewhere. */
    lock(resource: string | string[]): Promise<void>;
    unlock(resource: string | string[]): Promise<void>;
  }

  export { FileStorageAdapter as default, FileStorageAdapter, LockerOptions, FileStorageAdapterOptions, FileLocker };
}

declare class FileStorageAdapter {
  constructor(options: FileStorageAdapter.FileStorageAdapterOptions);
  /** Absolute path of the storage directory. */
  readonly directory: string;
  set(key: string, value: any): Promise<void>;
  get<T = any>(key: string): Promise<T | undefined>;
  remove(key: string): Promise<void>;
  /** Deletes every regular file of the directory whose name does not start with `.`. */
  clear(): Promise<void>;
  readonly locker: FileStorageAdapter.FileLocker;
}

export = FileStorageAdapter;
