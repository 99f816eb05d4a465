// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import core from './index.js';

export const {
  createAlova,
  Method,
  invalidateCache,
  setCache,
  queryCache,
  hitCacheBySource,
  globalConfig,
  promiseStatesHook,
  L1Cache,
  metrics,
  metricsText,
  nativeVersion,
} = core;
// A live binding, like alova's ESM build: reassigned whenever globalConfig() replaces it.
export let globalConfigMap = core.globalConfigMap;
core[Symbol.for('@alova/native.onGlobalConfig')]((map) => {
  globalConfigMap = map;
});
export default core;
