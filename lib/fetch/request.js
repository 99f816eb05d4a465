'use strict';
// What alova's fetch adapter does to a request before sending it: the Content-Type default,
// dropping empty headers, and turning `data` into a body.
const { AlovaError, codes } = require('../errors');

const JSON_TYPE = 'application/json; charset=UTF-8';
const DROPPED = ['', undefined, null, false];
const SPECIAL = /^\[object (Blob|File|FormData|ReadableStream|URLSearchParams)\]$/;

const tag = (v) => Object.prototype.toString.call(v);

/**
 * Mutates `headers` (the method's config headers) as alova does: a JSON Content-Type unless a
 * header name contains "content-type" or the data is FormData, then drops headers whose value
 * is '', undefined, null or false.
 */
function applyHeaderRules(headers, data) {
  const names = Object.keys(headers);
  if (!/content-type/i.test(names.join()) && !(data && data.toString() === '[object FormData]')) {
    headers['Content-Type'] = JSON_TYPE;
  }
  for (const name of Object.keys(headers)) {
    if (DROPPED.includes(headers[name])) delete headers[name];
  }
}

/** `[name, value, ...]` for the engine; `hasType` tells whether Content-Type is among them. */
function flattenHeaders(headers) {
  const flat = [];
  let hasType = false;
  for (const name in headers) {
    flat.push(name, String(headers[name]));
    if (!hasType && name.length === 12 && name.toLowerCase() === 'content-type') hasType = true;
  }
  return { flat, hasType };
}

/**
 * The body to send and the Content-Type fetch would infer for it. Strings and special bodies
 * are sent as they are, Buffers and typed arrays as binary, anything else as JSON (alova's
 * rule). A ReadableStream comes back as `stream`, sent while it is read. Returns a promise
 * only for bodies that must be read first (Blob, FormData).
 */
function encodeBody(data) {
  if (data === undefined) return { body: undefined, type: null };
  if (typeof data === 'string') return { body: data, type: 'text/plain;charset=UTF-8' };
  if (ArrayBuffer.isView(data)) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { body: bytes, type: null };
  }
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer)) {
    return { body: new Uint8Array(data), type: null };
  }
  const t = data === null ? '' : tag(data);
  if (t === '[object URLSearchParams]') {
    return { body: data.toString(), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (t === '[object ReadableStream]') return { body: undefined, stream: data, type: null };
  if (SPECIAL.test(t)) return readSpecial(data);
  let json;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    const err = new AlovaError(`request body cannot be serialised: ${cause.message}`, 'fetch', codes.BODY);
    err.cause = cause;
    throw err;
  }
  return { body: json, type: json === undefined ? null : 'text/plain;charset=UTF-8' };
}

/** Blob and FormData (multipart) bodies, encoded exactly as fetch encodes them. */
async function readSpecial(data) {
  const encoded = new Response(data);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  return { body: bytes, type: encoded.headers.get('content-type') };
}

module.exports = { applyHeaderRules, flattenHeaders, encodeBody };
