'use strict';
// `Method`: one request description. It is a thenable (each then/catch/finally sends anew),
// and its fields are those alova users rely on (type, url, baseURL, config, data, key, ...).
const { sendRequest } = require('./send');

const resolved = () => Promise.resolve();

const removeHandler = (handler, list) => () => {
  const i = list.indexOf(handler);
  if (i >= 0) list.splice(i, 1);
};

class Method {
  constructor(type, context, url, config, data) {
    this.dhs = [];
    this.uhs = [];
    this.fromCache = undefined;
    // One function for the lifetime of the method (hooks get clones sharing it); each send
    // points `abort.a` at that send's abort.
    const abort = () => abort.a();
    abort.a = resolved;
    type = type.toUpperCase();
    const options = context.options;
    this.abort = abort;
    this.baseURL = options.baseURL || '';
    this.url = url;
    this.type = type;
    this.context = context;
    const fromContext = {};
    if (options.timeout !== undefined) fromContext.timeout = options.timeout;
    if (options.shareRequest !== undefined) fromContext.shareRequest = options.shareRequest;
    const globalCache = options.cacheFor;
    const typeCache =
      Object.prototype.toString.call(globalCache) === '[object Object]' ? globalCache[type] : undefined;
    if (typeCache !== undefined) fromContext.cacheFor = typeCache;
    const hitSource = config && config.hitSource;
    if (hitSource) {
      this.hitSource = (Array.isArray(hitSource) ? hitSource : [hitSource]).map((s) =>
        s instanceof Method ? s.key : s,
      );
      delete config.hitSource;
    }
    this.config = { ...fromContext, headers: {}, params: {}, ...(config || {}) };
    this.data = data;
    this.meta = config ? config.meta : this.meta;
    this.key = this.generateKey();
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
    return sendRequest(this, forceRequest, Method);
  }

  setName(name) {
    this.config.name = name;
  }

  generateKey() {
    const { params, headers } = this.config;
    return JSON.stringify([this.type, this.url, params, this.data, headers]);
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

module.exports = { Method };
