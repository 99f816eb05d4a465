'use strict';
// undici's `diagnostics_channel` messages for requests sent by the native engine, so tools
// that trace undici (OpenTelemetry's undici instrumentation, APM agents) see them too.
// Published only for requests created while `undici:request:create` has a subscriber: that
// one check is all a request pays when nobody listens.
const { channel } = require('node:diagnostics_channel');

const createChannel = channel('undici:request:create');
const headersChannel = channel('undici:request:headers');
const trailersChannel = channel('undici:request:trailers');
const errorChannel = channel('undici:request:error');

/**
 * The `request` of undici's messages: `origin`, `method`, `path` (path and query), `headers`
 * as undici 6 keeps them (`[name, value, ...]`) and `addHeader(name, value)`. `headers` is the
 * very list handed to the engine, so what a subscriber adds (e.g. `traceparent`) is sent.
 */
class DiagnosticsRequest {
  constructor(url, method, headers) {
    this.origin = url.origin;
    this.method = method;
    this.path = url.pathname + url.search;
    this.headers = headers;
    this.completed = false;
    this.aborted = false;
  }

  addHeader(name, value) {
    this.headers.push(String(name), String(value));
    return this;
  }
}

/**
 * Publishes `undici:request:create` for a request about to be sent and returns its `request`
 * (null when nobody listens or the URL cannot be parsed, leaving the failure to the engine).
 */
function requestCreated(url, method, flatHeaders) {
  if (!createChannel.hasSubscribers) return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const request = new DiagnosticsRequest(parsed, method, flatHeaders);
  createChannel.publish({ request });
  return request;
}

/** `undici:request:headers` with the response head (header names and values as Buffers, as undici gives them). */
function responseHeaders(request, status, statusText, rawHeaders) {
  if (headersChannel.hasSubscribers) {
    headersChannel.publish({ request, response: { statusCode: status, headers: headerList(rawHeaders), statusText } });
  }
}

/** `undici:request:trailers` once the body has been received (the engine keeps no trailers). */
function responseDone(request) {
  request.completed = true;
  if (trailersChannel.hasSubscribers) trailersChannel.publish({ request, trailers: [] });
}

/** `undici:request:error` for a request that failed or was aborted. */
function requestFailed(request, error) {
  if (request.completed || request.aborted) return;
  request.aborted = true;
  if (errorChannel.hasSubscribers) errorChannel.publish({ request, error });
}

/** The engine's `name:value\n` header block as undici's raw list `[name, value, ...]`. */
function headerList(raw) {
  const list = [];
  let i = 0;
  while (i < raw.length) {
    const colon = raw.indexOf(':', i);
    const end = raw.indexOf('\n', colon);
    list.push(Buffer.from(raw.slice(i, colon), 'latin1'), Buffer.from(raw.slice(colon + 1, end)));
    i = end + 1;
  }
  return list;
}

module.exports = { requestCreated, responseHeaders, responseDone, requestFailed };
