'use strict';
// `@alova/native/fetch`: alova's fetch adapter, with requests made by the native engine.
const { createNativeAdapter } = require('./native-adapter');
const { createJsAdapter } = require('./js-adapter');

/**
 * `adapterFetch(options?)` → alova request adapter. Options beyond alova's `customFetch`
 * configure the engine: `ca`, `rejectUnauthorized`, `maxRedirects`, `maxResponseSize`, `proxy`,
 * and its pool: `connections`, `keepAliveTimeout`, `keepAlive`, `allowH2`, `connectTimeout`.
 */
function adapterFetch(options = {}) {
  if (options.customFetch) return createJsAdapter(options.customFetch);
  return createNativeAdapter(options);
}

module.exports = adapterFetch;
module.exports.default = adapterFetch;
Object.defineProperty(module.exports, '__esModule', { value: true });
