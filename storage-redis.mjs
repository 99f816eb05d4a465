// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import mod from './storage-redis.js';

export default mod;
