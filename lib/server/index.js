'use strict';
// @alova/native/server: alova's server hooks.
const { HookedMethod } = require('./hooked-method');
const { retry } = require('./retry');
const { createCaptchaProvider } = require('./captcha');
const { createRateLimiter, rateLimitHeaders } = require('./rate-limit');
const { atomize } = require('./atomize');

module.exports = { HookedMethod, retry, createCaptchaProvider, createRateLimiter, rateLimitHeaders, atomize };
// As alova/server's CommonJS build: `require(...).default` is the module itself.
module.exports.default = module.exports;
