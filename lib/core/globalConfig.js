'use strict';
// Process-wide settings: `autoHitCache` scope and the server/browser logger switch.

const isSSR =
  typeof window === 'undefined' &&
  (typeof process !== 'undefined' ? !process.browser : typeof Deno !== 'undefined');

let globalConfigMap = { autoHitCache: 'global', ssr: isSSR };
// ESM re-exports keep a live binding through these listeners.
const listeners = new Set();

/** Shallow-merges `config` into a new settings object (the old object is left as it was). */
function globalConfig(config) {
  globalConfigMap = { ...globalConfigMap, ...config };
  for (const fn of listeners) fn(globalConfigMap);
}

module.exports = {
  globalConfig,
  getGlobalConfig: () => globalConfigMap,
  onGlobalConfig: (fn) => listeners.add(fn),
};
