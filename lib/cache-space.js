'use strict';
// Which records in a storage adapter are cache entries. alova's core writes its entries as
// `$a.<id><method key>` and its hit-source index as `hss.*`, `hsr.*` and `$$hsrs`; the server
// hooks keep their records in the same adapters under other names (rate-limit counters under
// the limiter's `keyPrefix`, `rlflx:` by default; captcha records under `alova-captcha:`;
// locks under their resource name, outside the adapter's keyPrefix for Redis and as lock
// directories for files). An adapter's `clear()` (what `invalidateCache()` calls) removes the
// cache space only, so an invalidation never resets a limiter, a captcha or a lock.
const CACHE_SPACES = Object.freeze(['$a.', 'hss.', 'hsr.', '$$hsrs']);

const isCacheKey = (key) => CACHE_SPACES.some((space) => key.startsWith(space));

module.exports = { CACHE_SPACES, isCacheKey };
