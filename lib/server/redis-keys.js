'use strict';
// The Redis key our RedisStorageAdapter uses for an adapter key (its keyPrefix + key), for
// scripts that must touch the same record as the adapter's get/set.
function redisKey(storage, key) {
  const prefix = typeof storage.keyPrefix === 'string' ? storage.keyPrefix : 'alova:';
  return prefix + key;
}

module.exports = { redisKey };
