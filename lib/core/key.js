'use strict';
// The method key: alova's `JSON.stringify([type, url, params, data, headers])`, character for
// character (stored keys, `setCache`/`queryCache`/`invalidateCache` by key and L2 entries
// written by alova depend on it). The common shapes (plain objects of strings, numbers,
// booleans, null and undefined; string or absent data) are written out directly into one
// string; anything else (nested values, arrays, class instances, toJSON) goes through
// JSON.stringify.

const OBJECT_PROTO = Object.prototype;

/** True when JSON writes `s` as `"s"` (no quote, backslash, control or surrogate char). */
function plain(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** The JSON of a string, finite number, boolean or null; '' for anything else. */
function scalar(v) {
  switch (typeof v) {
    case 'string':
      return plain(v) ? '"' + v + '"' : JSON.stringify(v);
    case 'number':
      return v - v === 0 ? '' + v : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null ? 'null' : '';
  }
}

/**
 * The JSON of `v` as an array element, when `v` is undefined, a scalar or a flat plain object
 * of scalars (undefined members left out); '' when it needs JSON.stringify.
 */
function json(v) {
  if (v === undefined) return 'null';
  if (typeof v !== 'object' || v === null) return scalar(v);
  if (Object.getPrototypeOf(v) !== OBJECT_PROTO) return '';
  let out = '{';
  // for-in with hasOwn visits the own enumerable string keys in Object.keys order, without
  // allocating the array.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const member = v[k];
    if (member === undefined) continue;
    const j = scalar(member);
    if (j === '' || k === 'toJSON') return '';
    out += (out.length === 1 ? '"' : ',"') + (plain(k) ? k : JSON.stringify(k).slice(1, -1)) + '":' + j;
  }
  return out + '}';
}

/** True for `{}` (a plain object with nothing to enumerate); false when unsure. */
function isEmptyObject(v) {
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== OBJECT_PROTO) return false;
  for (const k in v) return false;
  return true;
}

/**
 * A concatenated string is a rope until something flattens it; a Map lookup with a rope
 * hashes a temporary copy and compares piece by piece. Reading a char flattens it once, in
 * place, for every later lookup (the L1 map, in-flight requests, hit-source indexes).
 */
function flatten(s) {
  s.charCodeAt(0);
  return s;
}

/** The key of a method with these fields. */
const methodKey = (type, url, params, data, headers) => keyAfter('', type, url, params, data, headers);

// The start of the key built last (`head["TYPE","url",`): servers build most keys for one
// route after another, and each concatenation is one more piece to copy when the key is
// flattened.
let lastHead;
let lastType;
let lastUrl;
let lastPrefix;

/** `head["TYPE","url",` or undefined when type or url needs JSON.stringify. */
function prefixOf(head, type, url) {
  if (url === lastUrl && type === lastType && head === lastHead) return lastPrefix;
  if (typeof type !== 'string' || typeof url !== 'string' || !plain(type) || !plain(url)) return undefined;
  lastHead = head;
  lastType = type;
  lastUrl = url;
  lastPrefix = head + '["' + type + '","' + url + '",';
  return lastPrefix;
}

// The end of a key without data and without headers.
const NO_BODY_NO_HEADERS = ',null,{}]';
// The last such key and its params part: a hot key sent again is the same flat string, whose
// hash the cache lookup has computed already.
let lastBare;
let lastBarePrefix;
let lastBareParams;

function bareKey(prefix, p) {
  if (p === lastBareParams && prefix === lastBarePrefix) return lastBare;
  lastBarePrefix = prefix;
  lastBareParams = p;
  lastBare = flatten(prefix + p + NO_BODY_NO_HEADERS);
  return lastBare;
}

/** `head` followed by the method key, as one flat string (a data key when `head` is a prefix). */
function keyAfter(head, type, url, params, data, headers) {
  const prefix = prefixOf(head, type, url);
  if (prefix !== undefined) {
    const p = json(params);
    if (p !== '') {
      if (data === undefined && isEmptyObject(headers)) return bareKey(prefix, p);
      const d = json(data);
      const h = d === '' ? '' : json(headers);
      if (h !== '') return flatten(prefix + p + ',' + d + ',' + h + ']');
    }
  }
  return flatten(head + JSON.stringify([type, url, params, data, headers]));
}

module.exports = { methodKey, keyAfter, flatten };
