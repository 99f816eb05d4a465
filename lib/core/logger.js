'use strict';
// Where the package logs. Without a `logger` option it prints as alova does (console); with a
// pino-compatible logger (`debug/info/warn/error`, object first then message) every message
// goes there instead: cache hits at `debug`, recoverable failures at `warn`.
const { AlovaError, codes } = require('../errors');
const { getGlobalConfig } = require('./globalConfig');

const HEAD = '\x1B[42m%s\x1B[49m';
const LABEL = '\x1B[32m%s\x1B[39m';
const TITLE = 'color: black; font-size: 12px; font-weight: bolder';
const LEVELS = ['debug', 'info', 'warn', 'error'];

/**
 * The `logger` option: undefined stays undefined (the default behaviour); a pino-compatible
 * object is returned as is; anything else is refused, naming `area` (e.g. `[alova]`).
 */
function checkLogger(logger, area, code = codes.INVALID_ARG) {
  if (logger === undefined) return undefined;
  const missing = logger !== null && typeof logger === 'object' ? LEVELS.filter((l) => typeof logger[l] !== 'function') : LEVELS;
  if (missing.length) {
    throw new AlovaError(`\`logger\` must have the methods ${LEVELS.join('/')} (missing: ${missing.join(', ')})`, area, code);
  }
  return logger;
}

/** A warning: to `logger.warn(fields, message)` if given, else `console.warn(message)`. */
function warn(logger, message, fields = {}) {
  if (logger) logger.warn(fields, message);
  else console.warn(message);
}

/** An error message: to `logger.error(fields, message)` if given, else `console.error(message)`. */
function error(logger, message, fields = {}) {
  if (logger) logger.error(fields, message);
  else console.error(message);
}

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

/** The default cache logger for a given `logger`: one `debug` line per hit (no response body). */
const hitLoggers = new WeakMap();
function hitLoggerFor(logger) {
  let fn = hitLoggers.get(logger);
  if (!fn) {
    fn = (response, method, mode, tag) => logger.debug({ url: method.url, key: method.key, mode, tag }, 'alova: cache hit');
    hitLoggers.set(logger, fn);
  }
  return fn;
}

/**
 * The logger `cacheLogger` selects: a function as given, false/null silent, else the default
 * (to `logger.debug` when the instance has a `logger`).
 */
function resolveCacheLogger(option, logger) {
  if (typeof option === 'function') return option;
  if (option === false || option === null) return null;
  return logger ? hitLoggerFor(logger) : defaultCacheLogger;
}

module.exports = { defaultCacheLogger, resolveCacheLogger, checkLogger, warn, error };
