// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import mod from './server.js';

export const { HookedMethod, retry, createCaptchaProvider, createRateLimiter, rateLimitHeaders, atomize } = mod;
export default mod;
