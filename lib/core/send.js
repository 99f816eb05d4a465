'use strict';
// The send pipeline: cache lookup (controlled → L1 → L2 in restore mode), a clone of the
// method for the hooks, `beforeRequest`, then either the cached value or the network (shared
// with identical in-flight requests), `responded` handlers, `transform`, snapshots, hit-source
// invalidation and cache writes. Sync values are used without awaiting them so that a hit
// served by a synchronous L1 costs as few ticks as possible.
const { cacheParams, expireTs, MEMORY, RESTORE } = require('./cacheConfig');
const { dataKey, getRaw, getRawAt, setEntry, willStore } = require('./storage');
const cacheEvents = require('./cacheEvents');
const { isFreshParse } = require('./fresh');
const { invalidateTargets, invalidateTargetsNow } = require('./cache');
const { resolveCacheLogger } = require('./logger');
const { writeStale, serveStale } = require('./stale');
const { buildURL } = require('./url');
const { flatten } = require('./key');
const { isFn, isPlainObject, isString, isThenable, isSpecialBody, deepClone, identity, noop } = require('./utils');

/**
 * In-flight adapter handles: `Map<alova id, Map<data key, handle>>`. An emptied namespace
 * stays for the next send (dropping and re-creating it per request costs more than the rest
 * of the bookkeeping); empty ones are swept when there are many. Each namespace holds one
 * entry of its own (`HELD`): a Map that a delete leaves empty shrinks its table, which costs
 * more than the delete.
 */
const inflight = new Map();
const NAMESPACES_KEPT = 64;
const HELD = Symbol('held');

function inflightOf(id) {
  let byKey = inflight.get(id);
  if (byKey === undefined) {
    if (inflight.size >= NAMESPACES_KEPT) for (const [k, m] of inflight) if (m.size === 1) inflight.delete(k);
    byKey = new Map();
    byKey.set(HELD, undefined);
    inflight.set(id, byKey);
  }
  return byKey;
}

/** Handles that more than one send awaits. */
const sharedHandles = new WeakSet();

/**
 * A copy for the hooks: same fields, own config with own headers and params objects. A spread
 * copies the own enumerable fields as Object.assign would (a Method has no fields of its own
 * beyond those, so the copy is a fast clone of its shape), then the copy takes the class's
 * prototype.
 */
function cloneMethod(method, MethodCls) {
  const config = { ...method.config };
  const { headers = {}, params = {} } = config;
  config.headers = { ...headers };
  config.params = isString(params) ? params : { ...params };
  const clone = Object.setPrototypeOf({ ...method }, MethodCls.prototype);
  clone.config = config;
  return clone;
}

// alova's \`responded\`: a function is onSuccess; an object gives onSuccess, onError and
// onComplete; anything missing is the default. Read per send (it may change), without an
// object per send.
const handler = (responded, name, fallback) =>
  isPlainObject(responded) && isFn(responded[name]) ? responded[name] : fallback;
const successHandler = (responded) => (isFn(responded) ? responded : handler(responded, 'onSuccess', identity));
const errorHandler = (responded) => handler(responded, 'onError', undefined);
const completeHandler = (responded) => handler(responded, 'onComplete', noop);

/** Requests in flight under the alova instance `id` (tests read it). */
const inflightCount = (id) => (inflight.has(id) ? inflight.get(id).size - 1 : 0);

/**
 * One send: its inputs, the options read when it started, and its link to the adapter handle
 * (abort/progress requests made before the adapter was called wait for it, and run one
 * microtask after it, as alova does).
 */
class SendState {
  constructor(method, force, MethodCls, fullKey) {
    this.method = method;
    this.fullKey = fullKey;
    this.force = force;
    this.MethodCls = MethodCls;
    this.cache = undefined;
    this.options = undefined;
    this.namespace = undefined;
    this.ready = false;
    this.handle = undefined;
    this.waiting = null;
    this.promise = undefined;
    this.abortDone = undefined;
    this.looked = undefined;
    this.failed = false;
    this.special = false;
    this.transform = undefined;
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

/** `method.abort.run` while a send is in flight: aborts that send. */
function abortInFlight() {
  return this.inFlight.abort();
}

const RESOLVED = Promise.resolve();

/** `fullKey`: the method's data key when the caller keeps one, else it is built here. */
function sendRequest(method, force, MethodCls, fullKey) {
  const state = new SendState(method, force, MethodCls, fullKey);
  const { dhs, uhs, abort } = method;
  if (dhs.length > 0) {
    state.when((h) => h.onDownload && h.onDownload((loaded, total) => dhs.forEach((fn) => fn({ loaded, total }))));
  }
  if (uhs.length > 0) {
    state.when((h) => h.onUpload && h.onUpload((loaded, total) => uhs.forEach((fn) => fn({ loaded, total }))));
  }
  abort.inFlight = state;
  abort.run = abortInFlight;
  method.fromCache = undefined;
  // The cache lookup runs now (as in alova); the rest starts one microtask later, so the
  // original carries this promise when it is cloned for the hooks. A miss known at once goes
  // straight to the network stage, in one async function.
  let promise;
  try {
    state.looked = lookup(state);
  } catch (error) {
    state.failed = true;
    state.looked = error;
  }
  if (state.looked === undefined && !state.failed && !(state.cache.mode === RESTORE && !force)) {
    promise = state.cache.grace ? fetchFresh(state, true).catch((error) => staleOrThrow(state, error)) : fetchFresh(state, true);
  } else {
    promise = RESOLVED.then(() => resume(state));
  }
  state.promise = promise;
  method.promise = promise;
  return promise;
}

/** Stage 1: the cache lookup (controlled, or L1 unless forced): a value or a promise of one. */
function lookup(state) {
  const { method } = state;
  const context = method.context;
  state.options = context.options;
  const namespace = (state.namespace = context.id);
  const cache = (state.cache = cacheParams(method));
  if (cache.controlled) return cache.cacheFor();
  if (state.force) return undefined;
  const fullKey = state.fullKey || (state.fullKey = flatten(dataKey(namespace, method.key)));
  const raw = getRawAt(fullKey, context.l1Cache, undefined);
  return isThenable(raw) ? raw.then((r) => (r ? r[0] : undefined)) : raw ? raw[0] : undefined;
}

function resume(state) {
  if (state.failed) throw state.looked;
  const looked = state.looked;
  state.looked = undefined;
  return isThenable(looked) ? looked.then((c) => afterL1(state, c)) : afterL1(state, looked);
}

/** The L1 hit or miss event (not for forced sends nor a controlled cache). */
function publishL1(state, cached) {
  const ch = cached === undefined ? cacheEvents.miss : cacheEvents.hit;
  if (ch.hasSubscribers && !state.force && !state.cache.controlled) cacheEvents.publish(ch, 'L1', state.method);
}

/** Stage 2: in restore mode, an L1 miss looks in L2 and copies a hit into L1. */
function afterL1(state, cached) {
  publishL1(state, cached);
  if (state.cache.mode === RESTORE && !cached && !state.force) return restoreFromL2(state);
  return afterLookup(state, cached);
}

async function restoreFromL2(state) {
  const { method, cache } = state;
  const { id, l1Cache, l2Cache } = method.context;
  const raw = await getRaw(id, method.key, l2Cache, cache.tag);
  const ch = raw ? cacheEvents.hit : cacheEvents.miss;
  if (ch.hasSubscribers) cacheEvents.publish(ch, 'L2', method);
  let cached;
  if (raw) {
    await setEntry(id, method.key, raw[0], raw[1], l1Cache, method.hitSource);
    cached = raw[0];
  }
  return afterLookup(state, cached);
}

/** Stage 3: a miss goes to the network; a hit gets the clone and `beforeRequest` unless no hook could see them. */
function afterLookup(state, cached) {
  if (cached === undefined) return state.cache.grace ? fetchFresh(state, false).catch((error) => staleOrThrow(state, error)) : fetchFresh(state, false);
  const { method } = state;
  const { beforeRequest, responded, cacheLogger } = state.options;
  const logger = resolveCacheLogger(cacheLogger, state.options.logger);
  const onHitComplete = completeHandler(responded);
  // A hit whose hooks are all absent needs no clone: nobody could see it.
  if (!beforeRequest && !logger && onHitComplete === noop) {
    state.resolve(undefined);
    method.fromCache = true;
    return cached;
  }
  const clone = cloneMethod(method, state.MethodCls);
  const before = beforeRequest ? beforeRequest(clone) : undefined;
  // Waiting a tick for beforeRequest (as alova does) keeps the hooks of concurrent sends in
  // alova's order; a hit without the hook skips it.
  if (beforeRequest) return Promise.resolve(before).then(() => serveHit(state, clone, cached, logger, onHitComplete));
  return serveHit(state, clone, cached, logger, onHitComplete);
}

function serveHit(state, clone, cached, logger, onHitComplete) {
  state.resolve(undefined);
  clone.fromCache = true;
  if (logger) logger(cached, clone, state.cache.mode, state.cache.tag);
  onHitComplete(clone);
  state.method.fromCache = true;
  return cached;
}

/** Stale-if-error: a failed send (not an abort) serves the grace copy if there is one. */
function staleOrThrow(state, error) {
  if (error && error.name === 'AbortError') throw error;
  return serveStale(state, error);
}

/**
 * Stages 3 and 4 on a miss: the clone and `beforeRequest`, then the network (shared with an
 * identical in-flight request), handlers and cache writes. `tick`: a miss known at send time
 * starts here, one microtask after the lookup.
 */
async function fetchFresh(state, tick) {
  if (tick) {
    await undefined;
    publishL1(state, undefined);
  }
  const { method } = state;
  const { beforeRequest } = state.options;
  const clone = cloneMethod(method, state.MethodCls);
  // Waiting a tick for beforeRequest (as alova does) keeps the hooks of concurrent sends in
  // alova's order.
  if (beforeRequest) await beforeRequest(clone);
  const { requestAdapter, responded } = state.options;
  const { baseURL, url, type, data } = clone;
  const config = clone.config;
  const { params = {}, headers = {}, shareRequest } = config;
  state.transform = config.transform;
  const onSuccess = successHandler(responded);
  const onError = errorHandler(responded);
  const onComplete = completeHandler(responded);

  const ns = inflightOf(state.namespace);
  const key = state.fullKey || (state.fullKey = flatten(dataKey(state.namespace, method.key)));
  const special = (state.special = isSpecialBody(data));
  let handle = special ? undefined : ns.get(key);
  if (!shareRequest || !handle) {
    handle = requestAdapter({ url: buildURL(baseURL, url, params), type, data, headers }, clone);
    ns.set(key, handle);
  } else {
    sharedHandles.add(handle);
  }
  state.resolve(handle);

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
    ns.delete(key);
    if (!failed) outcome = settle(state, clone, onSuccess(settled[0], clone), settled[1], true);
    else if (onError) outcome = settle(state, clone, onError(failure, clone), undefined, false);
    else throw failure;
    if (isThenable(outcome)) outcome = await outcome;
  } finally {
    const done = onComplete(clone);
    if (isThenable(done)) await done;
  }
  method.fromCache = false;
  return outcome;
}

/**
 * The response handler's value through `transform`, then snapshots, hit-source invalidation
 * and cache writes. The caller gets its own deep copy (as in alova) unless nobody else can
 * hold the value: a fresh parse of the response body, untransformed and not cached.
 * Concurrent sends of one shared request reach their invalidations and writes in alova's
 * order only with alova's ticks: they keep every await (settleShared). A send alone runs each
 * step at once while its input is a plain value, so a synchronous response costs no tick here.
 */
function settle(state, clone, value, responseHeaders, cacheIt) {
  const owned = state.transform === undefined && isFreshParse(value);
  if (sharedHandles.has(state.handle)) return settleShared(state, clone, value, responseHeaders, cacheIt, owned);
  if (isThenable(value)) return settleLater(state, clone, value, responseHeaders, cacheIt, owned);
  const transformed = state.transform === undefined ? value : state.transform(value, responseHeaders || {});
  if (isThenable(transformed)) return settleLater(state, clone, transformed, undefined, cacheIt, owned, true);
  state.method.context.snapshots.save(state.method);
  const invalidated = startInvalidation(clone);
  if (invalidated) return settleLater(state, clone, transformed, undefined, cacheIt, owned, true, invalidated);
  return store(state, transformed, cacheIt, owned);
}

/** Hit-source invalidation of a response, started now: a promise while it has async work. */
function startInvalidation(clone) {
  try {
    return invalidateTargetsNow(clone, true);
  } catch {
    // Invalidation failures never fail the request.
    return undefined;
  }
}

/**
 * `settle` for a send alone from the first step whose input is a promise: `value` is the
 * response handler's value, or with `isTransformed` the transformed one (and `invalidated`
 * the pending invalidation, when it got that far).
 */
async function settleLater(state, clone, value, responseHeaders, cacheIt, owned, isTransformed, invalidated) {
  let transformed = value;
  if (!isTransformed) {
    value = await value;
    transformed = state.transform === undefined ? value : state.transform(value, responseHeaders || {});
  }
  if (isThenable(transformed)) transformed = await transformed;
  if (!invalidated) {
    state.method.context.snapshots.save(state.method);
    invalidated = startInvalidation(clone);
  }
  try {
    if (invalidated) await invalidated;
  } catch {
    // Invalidation failures never fail the request.
  }
  const out = store(state, transformed, cacheIt, owned);
  return isThenable(out) ? await out : out;
}

/** `settle` for a shared request, with every await alova has. */
async function settleShared(state, clone, value, responseHeaders, cacheIt, owned) {
  value = await value;
  const transform = state.transform;
  let transformed = transform === undefined ? value : transform(value, responseHeaders || {});
  transformed = await transformed;
  state.method.context.snapshots.save(state.method);
  try {
    await invalidateTargets(clone, true);
  } catch {
    // Invalidation failures never fail the request.
  }
  if (state.special || !cacheIt) return owned ? transformed : deepClone(transformed);
  const writes = startWrites(state, transformed, true);
  if (!writes) return deepClone(transformed);
  try {
    await writes.pending;
  } catch {
    return deepClone(transformed);
  }
  return written(state.method, writes, transformed, owned);
}

/**
 * The cache writes of a settled value, then the caller's copy: the value, or a promise of it
 * while writes are pending.
 */
function store(state, transformed, cacheIt, owned) {
  if (state.special || !cacheIt) return owned ? transformed : deepClone(transformed);
  const writes = startWrites(state, transformed, false);
  if (!writes) return deepClone(transformed);
  if (writes.pending) return afterWrites(state.method, writes, transformed, owned);
  return written(state.method, writes, transformed, owned);
}

async function afterWrites(method, writes, transformed, owned) {
  try {
    await writes.pending;
  } catch {
    return deepClone(transformed);
  }
  return written(method, writes, transformed, owned);
}

/**
 * Starts the cache writes of a settled value: `{ pending, l1, l2 }` (the writes to wait for,
 * whether each level stores the value), or undefined when a write failed at once (cache
 * write failures never fail the request). `exact` (a shared request) waits even for writes
 * that do nothing, as alova does; a send alone skips those calls (setEntry writes nothing
 * when willStore is false).
 */
function startWrites(state, transformed, exact) {
  const { method, cache } = state;
  if (cache.never && !exact) return NO_WRITES;
  const { id, l1Cache, l2Cache } = method.context;
  const key = method.key;
  const hitSource = method.hitSource;
  try {
    const l1Ts = expireTs(cache, method, MEMORY);
    const l1 = willStore(transformed, l1Ts);
    const l1Write = exact || l1 ? setEntry(id, key, transformed, l1Ts, l1Cache, hitSource) : undefined;
    let l2 = false;
    let l2Write;
    let l2Ts;
    if (cache.store) {
      l2Ts = expireTs(cache, method, RESTORE);
      l2 = willStore(transformed, l2Ts);
      if (exact || l2) l2Write = setEntry(id, key, transformed, l2Ts, l2Cache, hitSource, cache.tag);
    }
    const staleWrite = cache.grace ? writeStale(method, cache, transformed, l1Ts, l2Ts) : undefined;
    const pending = exact || l2Write || staleWrite ? Promise.all([l1Write, l2Write, staleWrite]) : l1Write;
    return { pending, l1, l2 };
  } catch {
    return undefined;
  }
}

const NO_WRITES = Object.freeze({ pending: undefined, l1: false, l2: false });

/** After the writes: the `set` event, and the caller's copy (none needed of a value nobody else holds). */
function written(method, writes, transformed, owned) {
  if (cacheEvents.set.hasSubscribers) cacheEvents.publishLayers(cacheEvents.set, method, writes.l1, writes.l2);
  return owned && !writes.l1 && !writes.l2 ? transformed : deepClone(transformed);
}

module.exports = { sendRequest, inflight, inflightCount };
