'use strict';
// `Method`: one request description. It is a thenable (each then/catch/finally sends anew),
// and its fields are those alova users rely on (type, url, baseURL, config, data, key, ...),
// in alova's order. Servers build one per request, so the constructor stays lean: every
// instance gets the same fields in the same order (one hidden class), no spread of unknown
// shapes, and no field of its own beyond alova's (the clone the hooks get is a plain copy).
const { sendRequest } = require('./send');
const { methodKey, keyAfter } = require('./key');
const { dataKey } = require('./storage');
const { isPlainObject } = require('./utils');

const resolved = () => Promise.resolve();

/** The method name in upper case; the names alova's shortcuts pass are already. */
function upperCase(type) {
  switch (type) {
    case 'GET':
    case 'POST':
    case 'PUT':
    case 'DELETE':
    case 'PATCH':
    case 'HEAD':
    case 'OPTIONS':
      return type;
    default:
      return type.toUpperCase();
  }
}

const removeHandler = (handler, list) => () => {
  const i = list.indexOf(handler);
  if (i >= 0) list.splice(i, 1);
};

// The instance `cacheFor` read last and whether it is a plain object: one per instance.
let lastCacheFor;
let lastCacheForPlain = false;

/** `cacheFor[type]` when the instance's `cacheFor` is a plain object (alova's per-type form). */
function typeCacheFor(globalCache, type) {
  if (globalCache === null || typeof globalCache !== 'object') return undefined;
  if (globalCache !== lastCacheFor) {
    lastCacheFor = globalCache;
    lastCacheForPlain = isPlainObject(globalCache);
  }
  return lastCacheForPlain ? globalCache[type] : undefined;
}

/** `{ ...fromInstanceOptions, headers: {}, params: {}, ...config }`, key order included. */
function mergeConfig(options, type, config) {
  const merged = {};
  if (options.timeout !== undefined) merged.timeout = options.timeout;
  if (options.shareRequest !== undefined) merged.shareRequest = options.shareRequest;
  const cacheFor = typeCacheFor(options.cacheFor, type);
  if (cacheFor !== undefined) merged.cacheFor = cacheFor;
  merged.headers = {};
  merged.params = {};
  if (!config) return merged;
  // A spread defines an own `__proto__` where assign would set the prototype.
  return Object.hasOwn(config, '__proto__') ? { ...merged, ...config } : Object.assign(merged, config);
}

// The data key of the method built last and what it was built from: a server sends each
// method right after building it, and that send then looks up a flat string it need not
// build again.
let lastFull;
let lastKey;
let lastNamespace;
let lastHead;

class Method {
  constructor(type, context, url, config, data) {
    this.dhs = [];
    this.uhs = [];
    this.fromCache = undefined;
    // One function for the lifetime of the method (hooks get clones sharing it); each send
    // points `abort.run` at that send's abort. (A named function expression refers to itself
    // without a context object.)
    const abort = function abort() {
      return abort.run();
    };
    abort.run = resolved;
    type = upperCase(type);
    const options = context.options;
    this.abort = abort;
    this.baseURL = options.baseURL || '';
    this.url = url;
    this.type = type;
    this.context = context;
    const hitSource = config && config.hitSource;
    if (hitSource) {
      this.hitSource = (Array.isArray(hitSource) ? hitSource : [hitSource]).map((s) =>
        s instanceof Method ? s.key : s,
      );
      delete config.hitSource;
    }
    this.config = mergeConfig(options, type, config);
    this.data = data;
    this.meta = config ? config.meta : this.meta;
    if (this.generateKey === generateKey) {
      // The data key is built first and the method key is its tail: one flat string serves
      // the cache lookup and the key (a slice shares its characters).
      const namespace = context.id;
      const head = namespace === lastNamespace ? lastHead : dataKey(namespace, '');
      const full = keyAfter(head, type, url, this.config.params, data, this.config.headers);
      this.key = full.slice(head.length);
      lastFull = full;
      lastKey = this.key;
      lastNamespace = namespace;
      lastHead = head;
    } else {
      this.key = this.generateKey();
    }
  }

  onDownload(handler) {
    this.dhs.push(handler);
    return removeHandler(handler, this.dhs);
  }

  onUpload(handler) {
    this.uhs.push(handler);
    return removeHandler(handler, this.uhs);
  }

  /** Sends the request through the pipeline; `forceRequest` skips the cache lookup. */
  send(forceRequest = false) {
    // The key and the instance id are read at send time (they may have changed since).
    const fullKey = this.key === lastKey && this.context.id === lastNamespace ? lastFull : undefined;
    return sendRequest(this, forceRequest, Method, fullKey);
  }

  setName(name) {
    this.config.name = name;
  }

  generateKey() {
    const { params, headers } = this.config;
    return methodKey(this.type, this.url, params, this.data, headers);
  }

  then(onFulfilled, onRejected) {
    return this.send().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.send().catch(onRejected);
  }

  finally(onFinally) {
    return this.send().finally(onFinally);
  }
}

const { generateKey } = Method.prototype;

module.exports = { Method };
