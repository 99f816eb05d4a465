'use strict';
// `@alova/native/fetch`: alova's fetch adapter, with requests made by the native engine.
const { createNativeAdapter } = require('./native-adapter');
const { createJsAdapter } = require('./js-adapter');
const { AlovaError, codes } = require('../errors');

/**
 * `adapterFetch(options?)` → alova request adapter. Options beyond alova's `customFetch`
 * configure the engine: `ca`, `rejectUnauthorized`, `maxRedirects`, `maxResponseSize`, `proxy`,
 * and its pool: `connections`, `keepAliveTimeout`, `keepAlive`, `allowH2`, `connectTimeout`.
 */
function adapterFetch(options) {
  if (options === undefined || options === null) options = {};
  else if (typeof options !== 'object') {
    throw new AlovaError('adapterFetch options must be an object', 'fetch', codes.INVALID_ARG);
  }
  for (const name of Object.keys(options)) {
    if (!OPTIONS.has(name)) {
      throw new AlovaError(`adapterFetch has no option \`${name}\``, 'fetch', codes.UNSUPPORTED);
    }
  }
  if (options.customFetch) return createJsAdapter(options.customFetch);
  return createNativeAdapter(options);
}

// Every option adapterFetch takes: any other name is a mistake (a request option such as
// `timeout` belongs to createAlova or the method), refused rather than silently ignored.
const OPTIONS = new Set([
  'customFetch',
  'ca',
  'rejectUnauthorized',
  'maxRedirects',
  'maxResponseSize',
  'proxy',
  'connections',
  'keepAliveTimeout',
  'keepAlive',
  'allowH2',
  'connectTimeout',
]);

module.exports = adapterFetch;
module.exports.default = adapterFetch;
Object.defineProperty(module.exports, '__esModule', { value: true });
