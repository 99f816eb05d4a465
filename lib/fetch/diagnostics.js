'use strict';
// undici's `diagnostics_channel` messages for requests sent by the native engine, so tools
// that trace undici (OpenTelemetry's undici instrumentation, APM agents) see them too.
// Published only for requests created while `undici:request:create` has a subscriber: that
// one check is all a request pays when nobody listens.
const { channel } = require('node:diagnostics_channel');
const { parseHeaderBlock } = require('./headers');

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
    const headers = parseHeaderBlock(rawHeaders).map((s) => Buffer.from(s, 'latin1'));
    headersChannel.publish({ request, response: { statusCode: status, headers, statusText } });
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

module.exports = { requestCreated, responseHeaders, responseDone, requestFailed };
