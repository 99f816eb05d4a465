'use strict';
// The method key: alova's `JSON.stringify([type, url, params, data, headers])`, character for
// character (stored keys, `setCache`/`queryCache`/`invalidateCache` by key and L2 entries
// written by alova depend on it). The common shapes (plain objects of strings, numbers,
// booleans, null and undefined; string or absent data) are written out directly; anything else
// (nested values, arrays, class instances, toJSON) goes through JSON.stringify.

const OBJECT_PROTO = Object.prototype;

/** True when JSON writes `s` as `"s"` (no quote, backslash, control or surrogate char). */
function plain(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

const quote = (s) => (plain(s) ? '"' + s + '"' : JSON.stringify(s));

/** The JSON of a string, finite number, boolean or null; '' for anything else. */
function scalar(v) {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return v - v === 0 ? '' + v : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null ? 'null' : '';
  }
}

/**
 * The JSON of `v` as an array element when it is undefined, a scalar or a flat plain object
 * of scalars (undefined members left out); '' when it needs JSON.stringify.
 */
function flat(v) {
  if (v === undefined) return 'null';
  if (typeof v !== 'object' || v === null) return scalar(v);
  if (Object.getPrototypeOf(v) !== OBJECT_PROTO) return '';
  const keys = Object.keys(v);
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const member = v[k];
    if (member === undefined) continue;
    const json = scalar(member);
    if (json === '' || k === 'toJSON') return '';
    out += (out === '' ? '' : ',') + quote(k) + ':' + json;
  }
  return '{' + out + '}';
}

/** The key of a method with these fields. */
function methodKey(type, url, params, data, headers) {
  if (typeof type === 'string' && typeof url === 'string') {
    const p = flat(params);
    const d = p && flat(data);
    const h = d && flat(headers);
    if (h) return '[' + quote(type) + ',' + quote(url) + ',' + p + ',' + d + ',' + h + ']';
  }
  return JSON.stringify([type, url, params, data, headers]);
}

module.exports = { methodKey };
