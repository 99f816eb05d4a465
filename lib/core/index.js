'use strict';
// `@alova/native` main entry: alova's core API, plus the native-backed default L1 cache.
const native = require('../native');
const { createAlova, promiseStatesHook } = require('./alova');
const { Method } = require('./method');
const { invalidateCache, setCache, queryCache, hitCacheBySource } = require('./cache');
const { globalConfig, getGlobalConfig, onGlobalConfig } = require('./globalConfig');
const { L1Cache } = require('./l1');
const { metrics, metricsText } = require('../metrics');

exports.createAlova = createAlova;
exports.Method = Method;
exports.invalidateCache = invalidateCache;
exports.setCache = setCache;
exports.queryCache = queryCache;
exports.hitCacheBySource = hitCacheBySource;
exports.globalConfig = globalConfig;
Object.defineProperty(exports, 'globalConfigMap', { enumerable: true, get: getGlobalConfig });
exports.promiseStatesHook = promiseStatesHook;
exports.L1Cache = L1Cache;
exports.metrics = metrics;
exports.metricsText = metricsText;
exports.nativeVersion = native.version();
// Lets the ESM entry keep `globalConfigMap` a live binding.
Object.defineProperty(exports, Symbol.for('@alova/native.onGlobalConfig'), { value: onGlobalConfig });
exports.default = exports;
Object.defineProperty(exports, '__esModule', { value: true });
