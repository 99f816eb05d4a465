'use strict';
// FileLocker: a lock per resource that works across processes on one machine. Taking a lock
// is `mkdir` of a lock directory (atomic: exactly one process succeeds). The holder touches
// its mtime every `update` ms; a lock whose mtime is older than `stale` ms belongs to a
// process that died and may be taken over. Layout and options follow proper-lockfile as
// @alova/storage-file uses it: `<directory>/<name>/<name>.lock`.
const fs = require('node:fs/promises');
const path = require('node:path');
const { AlovaError } = require('../errors');
const { encodeName } = require('./names');
const { after, sleep } = require('../timers');

/** Locks held by this process, by lock directory (shared by every locker, as proper-lockfile does). */
const held = new Map();

/** Lock directories that vanish between `mkdir` and `stat` this often in a row: give up. */
const MAX_RACES = 100;


function lockedError(lockDir) {
  const err = new Error('Lock file is already being held');
  err.code = 'ELOCKED';
  err.file = lockDir;
  return err;
}

/** `retries` as a number or `{ retries, minTimeout, maxTimeout, factor }` → delays in ms. */
function retryDelays(retries) {
  const o = typeof retries === 'number' ? { retries } : retries || {};
  const { retries: n = 0, factor = 2, minTimeout = 1000, maxTimeout = Infinity } = o;
  return Array.from({ length: n }, (_, i) => Math.min(maxTimeout, minTimeout * factor ** i));
}

class FileLocker {
  constructor(directory, options = {}, logger = undefined) {
    this.directory = directory;
    this.options = options;
    this.stale = Math.max(options.stale ?? 10000, 2000);
    this.update = Math.min(Math.max(options.update ?? this.stale / 2, 1000), this.stale / 2);
    this.delays = retryDelays(options.retries);
    this.onCompromised =
      options.onCompromised || (logger ? (err) => logger.error({ err }, err.message) : (err) => process.emitWarning(err));
  }

  paths(resource) {
    const name = Array.isArray(resource) ? resource.join('-') : String(resource);
    const enc = encodeName(name);
    const target = path.join(this.directory, enc, enc);
    return { name, target, lockDir: `${target}.lock` };
  }

  async lock(resource) {
    const { target, lockDir } = this.paths(resource);
    await fs.mkdir(this.options.realpath === false ? this.directory : target, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.acquire(lockDir);
        return;
      } catch (err) {
        if (err.code !== 'ELOCKED' || attempt >= this.delays.length) throw err;
        await sleep(this.delays[attempt]);
      }
    }
  }

  async acquire(lockDir) {
    for (let tries = 0; ; tries++) {
      try {
        await fs.mkdir(lockDir);
        break;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      if (held.has(lockDir) || tries >= MAX_RACES) throw lockedError(lockDir);
      const st = await statOrNull(lockDir);
      // Released between our mkdir and stat: try again (never treat it as stale).
      if (!st) continue;
      if (Date.now() - st.mtimeMs <= this.stale) throw lockedError(lockDir);
      await this.takeOver(lockDir);
      break;
    }
    let mtime;
    try {
      mtime = await touch(lockDir);
    } catch (err) {
      // Taken from us at once (only a holder seen as stale is): we never held it.
      if (err.code === 'ENOENT') throw lockedError(lockDir);
      throw err;
    }
    const entry = { mtime, timer: null };
    held.set(lockDir, entry);
    this.keepFresh(lockDir, entry);
  }

  /**
   * Replaces a stale lock by ours. Two processes that both see it stale must not both take
   * it (the second would delete the first's fresh lock): the take-over itself is serialised by
   * a second directory, and the staleness is checked again inside it.
   */
  async takeOver(lockDir) {
    const guard = `${lockDir}.takeover`;
    try {
      await fs.mkdir(guard);
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A process that died inside a take-over leaves the guard: clear it once it is stale.
      const st = await statOrNull(guard);
      if (st && Date.now() - st.mtimeMs > this.stale) await fs.rm(guard, { recursive: true, force: true });
      throw lockedError(lockDir);
    }
    try {
      const st = await statOrNull(lockDir);
      if (st && Date.now() - st.mtimeMs <= this.stale) throw lockedError(lockDir);
      if (st) await fs.rm(lockDir, { recursive: true, force: true });
      await fs.mkdir(lockDir).catch((err) => {
        throw err.code === 'EEXIST' ? lockedError(lockDir) : err;
      });
    } finally {
      await fs.rm(guard, { recursive: true, force: true });
    }
  }

  keepFresh(lockDir, entry) {
    entry.timer = after(this.update, async () => {
      if (held.get(lockDir) !== entry) return;
      try {
        const st = await fs.stat(lockDir);
        if (st.mtimeMs !== entry.mtime) throw new Error('Unable to update lock within the stale threshold');
        entry.mtime = await touch(lockDir);
      } catch (err) {
        if (held.get(lockDir) !== entry) return;
        held.delete(lockDir);
        err.code = err.code || 'ECOMPROMISED';
        this.onCompromised(Object.assign(err, { message: `Lock ${lockDir} was compromised: ${err.message}` }));
        return;
      }
      if (held.get(lockDir) === entry) this.keepFresh(lockDir, entry);
    }).unref();
  }

  async unlock(resource) {
    const { name, target, lockDir } = this.paths(resource);
    const fail = (err) => new AlovaError(`Failed to release lock for resource "${name}": ${err}`, 'storage:file');
    const entry = held.get(lockDir);
    if (!entry) {
      // A resource never locked anywhere has no directory: nothing to release.
      const exists = await fs.stat(target).then(
        () => true,
        (err) => (err.code === 'ENOENT' ? false : Promise.reject(fail(err))),
      );
      if (!exists) return;
      const err = new Error('Lock is not acquired/owned by you');
      err.code = 'ENOTACQUIRED';
      throw fail(err);
    }
    held.delete(lockDir);
    entry.timer.clear();
    try {
      await fs.rm(lockDir, { recursive: true });
    } catch (err) {
      if (err.code !== 'ENOENT') throw fail(err);
    }
  }
}

/** `stat`, or null when the path does not exist. */
async function statOrNull(p) {
  try {
    return await fs.stat(p);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

/** Sets the directory's mtime to now; returns the mtime as the filesystem stored it. */
async function touch(dir) {
  const now = new Date();
  await fs.utimes(dir, now, now);
  return (await fs.stat(dir)).mtimeMs;
}

module.exports = { FileLocker };
