'use strict';
// How hooks get atomic read-modify-write on a storage adapter:
// - an adapter that declares kAtomicScript (our RedisStorageAdapter): a Lua script (through
//   its `eval`) runs the whole step on the server, so it is atomic across processes;
// - any other adapter: the step runs under a per-key queue in this process (atomic in the
//   process, not across processes sharing the adapter's backing store).

const { kAtomicScript } = require('../capabilities');

/** True when `storage.eval(script, keys, args)` runs a script atomically on the server. */
function runsAtomicScripts(storage) {
  return !!storage && storage[kAtomicScript] === true;
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

module.exports = { runsAtomicScripts, serialize };
