'use strict';
// The request adapter backed by the native engine. One engine client (with its keep-alive
// pool) per adapter; one crossing per request delivers status, headers and a small body.
const { HttpClient, HttpUpload } = require('../native');
const { AlovaError, fromNative, codes } = require('../errors');
const { applyHeaderRules, flattenHeaders, encodeBody } = require('./request');
const { Source, NativeResponse } = require('./response');
const { abortError, fromFailure } = require('./errors');
const { fetchOptionsFromEnv, warnInsecure, viaJsFetch } = require('./node-compat');
const diagnostics = require('./diagnostics');
const { register } = require('../metrics/registry');

/** Bodies above this are sent in slices whose progress the engine reports. */
const UPLOAD_SLICE = 64 * 1024;
const STANDARD_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
const noop = () => {};
const toResponse = (src) => new NativeResponse(src);
const toHeaders = (src) => src.headers;
const emptyHeaders = () => ({});

let lastId = 0;

// Engines with requests in flight, held strongly so their results are always collected. The
// engine itself keeps the process alive while requests are in flight.
const busy = new Set();
function setBusy(engine, isBusy) {
  if (isBusy) busy.add(engine);
  else busy.delete(engine);
}

/**
 * The engine client plus the calls in flight. Finished calls are collected in batches when the
 * engine signals. The signal holds the engine weakly, so an idle adapter that is dropped (with
 * its pool) can be collected.
 */
class Engine {
  constructor(options) {
    this.calls = new Map();
    const self = new WeakRef(this);
    const onReady = () => {
      const engine = self.deref();
      if (engine) engine.collect();
    };
    try {
      this.client = new HttpClient(clientOptions(options), onReady);
    } catch (err) {
      // The engine refused an option (its range, a certificate): fail this call.
      throw fromNative(err, 'fetch');
    }
  }

  start(call, url, headers, body, timeout, redirect, onUpload) {
    if (this.calls.size === 0) setBusy(this, true);
    this.calls.set(call.id, call);
    try {
      this.client.send(call.id, call.method, url, headers, body, timeout, redirect, onUpload);
    } catch (err) {
      // An argument the binding cannot convert: the call never started.
      this.calls.delete(call.id);
      if (this.calls.size === 0) setBusy(this, false);
      throw new AlovaError(err.message, 'fetch', codes.INVALID_ARG);
    }
  }

  /** Takes the finished calls: `id, head, body` per response, `id, null, failure` per failure. */
  collect() {
    const done = this.client.take();
    for (let i = 0; i < done.length; i += 3) {
      const call = this.calls.get(done[i]);
      if (!call) continue;
      this.calls.delete(done[i]);
      if (done[i + 1] === null) call.fail(fromFailure(done[i + 2]));
      else call.complete(done[i + 1], done[i + 2]);
    }
    if (this.calls.size === 0) setBusy(this, false);
  }
}

function createNativeAdapter(options) {
  const engine = new Engine(options);
  const adapter = (elements, method) => {
    const config = (method && method.config) || {};
    const js = viaJsFetch(config);
    return js ? js(elements, method) : new Call(engine, elements, config).handle();
  };
  // The engine's counters, read when asked for.
  adapter.stats = () => engine.client.stats();
  register('http', adapter);
  return adapter;
}

/** Pool options and the type each must have; the engine checks their ranges. */
const POOL_OPTIONS = {
  connections: 'number',
  keepAliveTimeout: 'number',
  keepAlive: 'boolean',
  allowH2: 'boolean',
  connectTimeout: 'number',
};

function clientOptions(options) {
  const { ca, rejectUnauthorized, maxRedirects, maxResponseSize, proxy } = options;
  const out = fetchOptionsFromEnv();
  for (const [name, type] of Object.entries(POOL_OPTIONS)) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== type) {
      throw new AlovaError(`\`${name}\` must be a ${type}`, 'fetch', codes.INVALID_ARG);
    }
    out[name] = value;
  }
  if (ca !== undefined) {
    const list = Array.isArray(ca) ? ca : [ca];
    out.ca = (out.ca || []).concat(list).map((c) => {
      if (typeof c === 'string') return c;
      if (ArrayBuffer.isView(c)) return Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('utf8');
      throw new AlovaError('`ca` must be a PEM string or Buffer (or an array of them)', 'fetch', codes.INVALID_ARG);
    });
  }
  if (rejectUnauthorized !== undefined) out.rejectUnauthorized = rejectUnauthorized !== false;
  else if (out.rejectUnauthorized === false) warnInsecure();
  if (maxRedirects !== undefined) out.maxRedirects = checkCount(maxRedirects, 'maxRedirects');
  if (maxResponseSize !== undefined) out.maxResponseSize = checkCount(maxResponseSize, 'maxResponseSize');
  if (proxy === false) out.envProxy = false;
  else if (proxy !== undefined) out.proxy = String(proxy);
  return out;
}

function checkCount(n, name) {
  if (typeof n !== 'number' || !(n >= 0)) {
    throw new AlovaError(`\`${name}\` must be a non-negative number`, 'fetch', codes.INVALID_ARG);
  }
  return n;
}

class Call {
  constructor(engine, elements, config) {
    this.engine = engine;
    this.id = lastId = (lastId + 1) >>> 0;
    this.method = normalizeMethod(elements.type);
    this.settled = false;
    this.aborted = false;
    this.source = null;
    this.error = null;
    this.promise = null;
    this.resolve = null;
    this.reject = null;
    this.bodyLength = 0;
    this.uploaded = 0;
    this.uploadCbs = null;
    this.diag = null; // undici's `request` while `undici:request:*` is listened to
    try {
      this.start(elements, config);
    } catch (err) {
      this.fail(err);
    }
  }

  start(elements, config) {
    const { data, headers } = elements;
    applyHeaderRules(headers, data);
    const encoded = encodeBody(data);
    if (typeof encoded.then === 'function') {
      encoded.then((e) => this.send(elements, headers, config, e)).catch((err) => this.fail(err));
    } else {
      this.send(elements, headers, config, encoded);
    }
  }

  send(elements, headers, config, { body, type, stream }) {
    if (this.aborted) return;
    if ((body !== undefined || stream) && (this.method === 'GET' || this.method === 'HEAD')) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
    const { flat, hasType } = flattenHeaders(headers);
    if (!hasType && type) flat.push('content-type', type);
    const url = String(elements.url);
    this.diag = diagnostics.requestCreated(url, this.method, flat);
    let onUpload;
    if (stream) {
      body = new HttpUpload();
      onUpload = (loaded) => this.progress(loaded);
    } else if (body !== undefined) {
      this.bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      if (this.bodyLength > UPLOAD_SLICE) onUpload = (loaded) => this.progress(loaded);
    }
    this.engine.start(this, url, flat, body, Number(config.timeout) || 0, config.redirect, onUpload);
    if (stream) pipe(stream, body);
  }

  complete(head, body) {
    if (this.aborted) {
      if (!(body instanceof Uint8Array)) body.cancel();
      return;
    }
    this.settled = true;
    this.source = new Source(head, body, this.method);
    if (this.diag) traceResponse(this.diag, this.source);
    this.progress(this.bodyLength);
    if (this.resolve) this.resolve(this.source);
  }

  fail(err) {
    if (this.diag) diagnostics.requestFailed(this.diag, err);
    if (this.settled) return;
    this.settled = true;
    this.error = err;
    if (this.reject) this.reject(err);
  }

  /**
   * The outcome as a promise, made when first asked for, so that a failure nobody asks about
   * never becomes an unhandled rejection.
   */
  outcome() {
    if (this.promise) return this.promise;
    if (!this.settled) {
      return (this.promise = new Promise((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
      }));
    }
    return (this.promise = this.error ? Promise.reject(this.error) : Promise.resolve(this.source));
  }

  progress(loaded) {
    if (loaded <= this.uploaded) return;
    this.uploaded = loaded;
    if (this.uploadCbs) for (const cb of this.uploadCbs) cb(loaded, this.bodyLength);
  }

  abort() {
    if (this.aborted) return;
    this.aborted = true;
    if (this.source) return this.source.cancel();
    this.engine.client.abort(this.id);
    this.fail(abortError());
  }

  handle() {
    return {
      response: () => this.outcome().then(toResponse),
      headers: () => this.outcome().then(toHeaders, emptyHeaders),
      onDownload: (cb) => {
        this.outcome().then((src) => watchDownload(src, cb), noop);
      },
      onUpload: (cb) => {
        (this.uploadCbs || (this.uploadCbs = [])).push(cb);
        if (this.uploaded > 0) cb(this.uploaded, this.bodyLength);
      },
      abort: () => this.abort(),
    };
  }
}

/** undici's response messages: the head now, the end when the body has been received. */
function traceResponse(request, src) {
  diagnostics.responseHeaders(request, src.status, src.statusText, src.rawHeaders);
  if (src.done) return diagnostics.responseDone(request);
  src.onEnd = (error) => (error ? diagnostics.requestFailed(request, error) : diagnostics.responseDone(request));
}

/** `cb(loaded, total)` per received batch when Content-Length is known; `(loaded, 0)` on abort. */
function watchDownload(src, cb) {
  const total = Number(src.headers.get('content-length') || 0);
  if (!(total > 0)) return;
  if (src.done && !src.error) {
    if (src.loaded > 0) cb(src.loaded, total);
    return;
  }
  src.listeners.push((loaded, error) => cb(loaded, error ? 0 : total));
  src.pump();
}

/** Feeds a ReadableStream into the engine as it is read; stops when the request is gone. */
async function pipe(stream, upload) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return upload.end();
      const chunk = typeof value === 'string' ? Buffer.from(value) : value;
      if (!ArrayBuffer.isView(chunk)) throw new TypeError('request body stream chunks must be Uint8Array');
      if (!(await upload.write(chunk))) return reader.cancel().catch(noop);
    }
  } catch (err) {
    upload.end(String((err && err.message) || err));
    reader.cancel(err).catch(noop);
  }
}

function normalizeMethod(type) {
  const m = String(type || 'GET');
  const upper = m.toUpperCase();
  return STANDARD_METHODS.has(upper) ? upper : m;
}

module.exports = { createNativeAdapter };
