'use strict';
// The default cache logger: prints every cache hit, in a terminal format on a server.
const { getGlobalConfig } = require('./globalConfig');

const HEAD = '\x1B[42m%s\x1B[49m';
const LABEL = '\x1B[32m%s\x1B[39m';
const TITLE = 'color: black; font-size: 12px; font-weight: bolder';

function defaultCacheLogger(response, method, mode, tag) {
  const log = (...args) => console.log(...args);
  const { url } = method;
  const restore = mode === 'restore';
  const start = ` [HitCache]${url} `;
  const end = () => '^'.repeat(start.length);
  if (getGlobalConfig().ssr) {
    log(HEAD, start);
    log(LABEL, ' Cache ', response);
    log(LABEL, ' Mode  ', mode);
    if (restore) log(LABEL, ' Tag   ', tag);
    log(LABEL, end());
    return;
  }
  const c = console;
  if (c.groupCollapsed) c.groupCollapsed('%cHitCache', 'padding: 2px 6px; background: #c4fcd3; color: #53b56d;', url);
  else log(HEAD, start);
  log('%c[Cache]', TITLE, response);
  log('%c[Mode]', TITLE, mode);
  if (restore) log('%c[Tag]', TITLE, tag);
  log('%c[Method]', TITLE, method);
  if (c.groupEnd) c.groupEnd();
  else log(LABEL, end());
}

/** The logger `cacheLogger` selects: a function as given, false/null silent, else the default. */
function resolveCacheLogger(option) {
  if (typeof option === 'function') return option;
  return option === false || option === null ? null : defaultCacheLogger;
}

module.exports = { defaultCacheLogger, resolveCacheLogger };
