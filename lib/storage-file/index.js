'use strict';
// FileStorageAdapter: alova's L2 cache as one JSON file per key in a directory. Any key works
// (names are encoded, see names.js) and nothing is written outside the directory; writes go
// to a temporary file renamed over the target, so readers, in this process or another, see
// the old or the new value, never a torn one. Written with node:fs: the work is system calls
// that libuv already runs off the main thread, so native code would add a crossing and gain
// nothing.
const fs = require('node:fs/promises');
const path = require('node:path');
const { AlovaError, codes } = require('../errors');
const { encodeName } = require('./names');
const { CACHE_SPACES } = require('../cache-space');

// Encoding keeps a key's head, so a file holds a cache entry when its name starts with an
// encoded cache space.
const CACHE_FILE_HEADS = CACHE_SPACES.map(encodeName);
const isCacheFile = (name) => CACHE_FILE_HEADS.some((head) => name.startsWith(head));
const { FileLocker } = require('./locker');
const { checkLogger } = require('../core/logger');

let tmpCounter = 0;

class FileStorageAdapter {
  constructor({ directory, lockerOptions, logger } = {}) {
    if (typeof directory !== 'string' || !directory) {
      throw new AlovaError('`directory` must be a non-empty string', 'storage:file', codes.INVALID_ARG);
    }
    this.directory = path.resolve(directory);
    this.lockerOptions = lockerOptions;
    this.logger = checkLogger(logger, 'storage:file');
    /** key → tail of its queue of writes, so the last call wins */
    this.queues = new Map();
  }

  filePath(key) {
    return path.join(this.directory, encodeName(key) + '.json');
  }

  /** Runs `op` after every earlier write or remove of `key`. */
  queued(key, op) {
    const prev = this.queues.get(key) || Promise.resolve();
    const next = prev.then(op, op);
    this.queues.set(key, next);
    const drop = () => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    };
    next.then(drop, drop);
    return next;
  }

  set(key, value) {
    let json;
    let cause;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      cause = err; // BigInt, a circular structure, a throwing toJSON: rejected like any failure
    }
    if (json === undefined) {
      const err = new AlovaError(`value of ${key} cannot be stored as JSON`, 'storage:file', codes.INVALID_ARG);
      if (cause) err.cause = cause;
      return Promise.reject(err);
    }
    return this.queued(key, async () => {
      const file = this.filePath(key);
      const tmp = path.join(this.directory, `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
      await fs.mkdir(this.directory, { recursive: true });
      try {
        await fs.writeFile(tmp, json);
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    });
  }

  async get(key) {
    let text;
    try {
      text = await fs.readFile(this.filePath(key), 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    }
    return JSON.parse(text);
  }

  remove(key) {
    return this.queued(key, () => fs.rm(this.filePath(key), { force: true }));
  }

  /**
   * Deletes the cache entries (see lib/cache-space.js); rate-limit and captcha records, lock
   * directories and dot files stay.
   */
  async clear() {
    await fs.mkdir(this.directory, { recursive: true });
    const entries = await fs.readdir(this.directory, { withFileTypes: true });
    await Promise.all(
      entries.filter((e) => e.isFile() && isCacheFile(e.name)).map((e) => fs.rm(path.join(this.directory, e.name), { force: true })),
    );
  }

  get locker() {
    if (!this._locker) this._locker = new FileLocker(this.directory, this.lockerOptions, this.logger);
    return this._locker;
  }
}

module.exports = FileStorageAdapter;
module.exports.default = FileStorageAdapter;
module.exports.FileStorageAdapter = FileStorageAdapter;
module.exports.FileLocker = FileLocker;
Object.defineProperty(module.exports, '__esModule', { value: true });
