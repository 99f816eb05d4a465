// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import mod from './storage-file.js';

export const { FileStorageAdapter, FileLocker } = mod;
export default mod;
