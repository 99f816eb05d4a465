'use strict';
// How hooks get atomic read-modify-write on a storage adapter:
// - our RedisStorageAdapter: a Lua script (through its `eval`) runs the whole step on the
//   server, so it is atomic across processes;
// - any other adapter: the step runs under a per-key queue in this process (atomic in the
//   process, not across processes sharing the adapter's backing store).

const RedisStorageAdapter = require('../storage-redis');

/** True when `storage` is our RedisStorageAdapter, whose `eval` runs a script atomically. */
function hasEval(storage) {
  return storage instanceof RedisStorageAdapter;
}

const queues = new WeakMap();

/** Runs `step()` after every earlier step queued for (`storage`, `key`) has finished. */
function serialize(storage, key, step) {
  let byKey = queues.get(storage);
  if (!byKey) queues.set(storage, (byKey = new Map()));
  const prev = byKey.get(key);
  const run = prev ? prev.then(step, step) : Promise.resolve().then(step);
  const tail = run.then(noop, noop);
  byKey.set(key, tail);
  tail.then(() => {
    if (byKey.get(key) === tail) byKey.delete(key);
  });
  return run;
}

function noop() {}

module.exports = { hasEval, serialize };
