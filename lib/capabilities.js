'use strict';
// What a storage adapter can do beyond alova's get/set/remove/clear, declared by the adapter
// under one of these keys and checked by the code that uses it, so neither imports the other.
// Well-known symbols (Symbol.for): two copies of the package agree on them.
module.exports = {
  // `eval(script, keys, args)` runs a Lua script on the server as one atomic step
  // (RedisStorageAdapter): read-modify-write is atomic across processes.
  kAtomicScript: Symbol.for('@alova/native.atomicScript'),
  // The adapter's entries live in this process only (L1Cache), so per-key state derived from
  // them (rate-limit records) may live in an in-process native store instead.
  kProcessLocal: Symbol.for('@alova/native.processLocal'),
  // The value is the native Redis connection this client runs on, for another adapter to share
  // (an adapter's `.client`).
  kRedisConnection: Symbol.for('@alova/native.redisConnection'),
};
