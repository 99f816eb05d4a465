'use strict';
// The compiled addon, loaded once. Every module reaches native code through here so that a
// missing build fails with one clear message instead of a bare MODULE_NOT_FOUND.
let binding;
try {
  binding = require('../binding.js');
} catch (cause) {
  const err = new Error(
    '@alova/native: the native addon is not built for this platform. ' +
      'Run `npm install` (it builds from source with cargo when no prebuilt binary matches).',
  );
  err.name = '[alova]';
  err.code = 'ERR_ALOVA_NATIVE_MISSING';
  err.cause = cause;
  throw err;
}
module.exports = binding;
