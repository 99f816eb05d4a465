// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import mod from './storage-redis.js';

export const { RedisStorageAdapter, RedisLocker, RedisClient } = mod;
export default mod;
