'use strict';
// The send pipeline: cache lookup (controlled → L1 → L2 in restore mode), a clone of the
// method for the hooks, `beforeRequest`, then either the cached value or the network (shared
// with identical in-flight requests), `responded` handlers, `transform`, snapshots, hit-source
// invalidation and cache writes. Sync values are used without awaiting them so that a hit
// served by a synchronous L1 costs as few ticks as possible.
const { cacheParams, expireTs, MEMORY, RESTORE } = require('./cacheConfig');
const { getRaw, getRawAt, methodDataKey, setEntry } = require('./storage');
const { hitCacheBySource } = require('./cache');
const { resolveCacheLogger } = require('./logger');
const { buildURL } = require('./url');
const { isFn, isPlainObject, isString, isThenable, isSpecialBody, deepClone, identity, noop } = require('./utils');

/** In-flight adapter handles: `{ [alova id]: { [method key]: handle } }`. */
const inflight = {};

// A constructor that builds an empty object with the class's prototype without running the
// class constructor (the clone takes every field from the original).
const shells = new WeakMap();
function shellOf(MethodCls) {
  let Shell = shells.get(MethodCls);
  if (!Shell) {
    Shell = function MethodShell() {};
    Shell.prototype = MethodCls.prototype;
    shells.set(MethodCls, Shell);
  }
  return Shell;
}

/** A copy for the hooks: same fields, own config with own headers and params objects. */
function cloneMethod(method, MethodCls) {
  const config = { ...method.config };
  const { headers = {}, params = {} } = config;
  config.headers = { ...headers };
  config.params = isString(params) ? params : { ...params };
  const clone = Object.assign(new (shellOf(MethodCls))(), method);
  clone.config = config;
  return clone;
}

const completeHandler = (responded) => {
  if (isFn(responded) || !isPlainObject(responded)) return noop;
  return isFn(responded.onComplete) ? responded.onComplete : noop;
};

function responseHandlers(responded) {
  if (isFn(responded)) return { onSuccess: responded, onError: undefined, onComplete: noop };
  if (isPlainObject(responded)) {
    const { onSuccess, onError, onComplete } = responded;
    return {
      onSuccess: isFn(onSuccess) ? onSuccess : identity,
      onError: isFn(onError) ? onError : undefined,
      onComplete: isFn(onComplete) ? onComplete : noop,
    };
  }
  return { onSuccess: identity, onError: undefined, onComplete: noop };
}

function dropInflight(id, key) {
  const ns = inflight[id];
  if (!ns) return;
  delete ns[key];
  if (!Object.keys(ns).length) delete inflight[id];
}

/**
 * One send's link to its adapter handle: abort/progress requests made before the adapter was
 * called wait for it, and run one microtask after it, as alova does.
 */
class SendState {
  constructor() {
    this.ready = false;
    this.handle = undefined;
    this.waiting = null;
    this.promise = undefined;
    this.abortDone = undefined;
  }

  when(fn) {
    if (this.ready) {
      if (this.handle) queueMicrotask(() => fn(this.handle));
    } else {
      (this.waiting = this.waiting || []).push(fn);
    }
  }

  resolve(handle) {
    this.ready = true;
    this.handle = handle;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting && handle) queueMicrotask(() => waiting.forEach((fn) => fn(handle)));
  }

  abort() {
    this.when((h) => h.abort());
    // Resolves one macrotask after the send settles, so handlers attached earlier run first.
    this.abortDone =
      this.abortDone || this.promise.then(noop, noop).then(() => new Promise((r) => setTimeout(r)));
    return this.abortDone;
  }
}

function abortCurrent() {
  return this.s.abort();
}

function sendRequest(method, force, MethodCls) {
  const state = new SendState();
  const { dhs, uhs, abort } = method;
  if (dhs.length > 0) {
    state.when((h) => h.onDownload && h.onDownload((loaded, total) => dhs.forEach((fn) => fn({ loaded, total }))));
  }
  if (uhs.length > 0) {
    state.when((h) => h.onUpload && h.onUpload((loaded, total) => uhs.forEach((fn) => fn({ loaded, total }))));
  }
  abort.s = state;
  abort.a = abortCurrent;
  method.fromCache = undefined;
  const promise = run(method, force, MethodCls, state);
  state.promise = promise;
  method.promise = promise;
  return promise;
}

async function run(method, force, MethodCls, link) {
  const context = method.context;
  const { beforeRequest, responded, requestAdapter, cacheLogger } = context.options;
  const key = method.key;
  const cache = cacheParams(method);
  const { id, l1Cache, l2Cache, snapshots } = context;
  const hitSource = method.hitSource;

  let cached;
  if (cache.controlled) {
    cached = await cache.cacheFor();
  } else if (!force) {
    const raw = await getRawAt(methodDataKey(method, id), l1Cache, undefined);
    cached = raw ? raw[0] : undefined;
  } else {
    await undefined;
  }
  if (cache.mode === RESTORE && !cached && !force) {
    let raw = getRaw(id, key, l2Cache, cache.tag);
    if (isThenable(raw)) raw = await raw;
    if (raw) {
      await setEntry(id, key, raw[0], raw[1], l1Cache, hitSource);
      cached = raw[0];
    }
  }

  // A hit whose hooks are all absent needs no clone: nobody could see it.
  const logger = cached !== undefined ? resolveCacheLogger(cacheLogger) : null;
  const onHitComplete = cached !== undefined ? completeHandler(responded) : noop;
  if (cached !== undefined && !beforeRequest && !logger && onHitComplete === noop) {
    link.resolve(undefined);
    method.fromCache = true;
    return cached;
  }
  const clone = cloneMethod(method, MethodCls);
  if (beforeRequest) {
    const r = beforeRequest(clone);
    if (isThenable(r)) await r;
  }

  if (cached !== undefined) {
    link.resolve(undefined);
    clone.fromCache = true;
    if (logger) logger(cached, clone, cache.mode, cache.tag);
    onHitComplete(clone);
    method.fromCache = true;
    return cached;
  }

  const { baseURL, url, type, data } = clone;
  const { params = {}, headers = {}, transform = identity, shareRequest } = clone.config;
  const { onSuccess, onError, onComplete } = responseHandlers(responded);

  const ns = (inflight[id] = inflight[id] || {});
  const special = isSpecialBody(data);
  let handle = special ? undefined : ns[key];
  if (!shareRequest || !handle) {
    handle = ns[key] = requestAdapter({ url: buildURL(baseURL, url, params), type, data, headers }, clone);
  }
  link.resolve(handle);

  const settle = async (value, responseHeaders, cacheIt) => {
    const transformed = await transform(await value, responseHeaders || {});
    snapshots.save(method);
    try {
      await hitCacheBySource(clone);
    } catch {
      // Invalidation failures never fail the request.
    }
    if ((!data || !special) && cacheIt) {
      try {
        await Promise.all([
          setEntry(id, key, transformed, expireTs(cache, method, MEMORY), l1Cache, hitSource),
          cache.store && setEntry(id, key, transformed, expireTs(cache, method, RESTORE), l2Cache, hitSource, cache.tag),
        ]);
      } catch {
        // Cache write failures never fail the request.
      }
    }
    return deepClone(transformed);
  };

  const pending = Promise.all([handle.response(), handle.headers()]);
  let outcome;
  try {
    let settled;
    let failure;
    let failed = false;
    try {
      settled = await pending;
    } catch (error) {
      failed = true;
      failure = error;
    }
    dropInflight(id, key);
    if (!failed) outcome = await settle(onSuccess(settled[0], clone), settled[1], true);
    else if (onError) outcome = await settle(onError(failure, clone), undefined, false);
    else throw failure;
  } finally {
    const done = onComplete(clone);
    if (isThenable(done)) await done;
  }
  method.fromCache = false;
  return outcome;
}

module.exports = { sendRequest, inflight };
