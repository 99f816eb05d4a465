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
 * `out` followed by the JSON of `v` as an array element, when `v` is undefined, a scalar or
 * a flat plain object of scalars (undefined members left out); undefined when it needs
 * JSON.stringify.
 */
function append(out, v) {
  if (v === undefined) return out + 'null';
  if (typeof v !== 'object' || v === null) {
    const json = scalar(v);
    return json === '' ? undefined : out + json;
  }
  if (Object.getPrototypeOf(v) !== OBJECT_PROTO) return undefined;
  out += '{';
  let first = true;
  // for-in with hasOwn visits the own enumerable string keys in Object.keys order, without
  // allocating the array.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const member = v[k];
    if (member === undefined) continue;
    const json = scalar(member);
    if (json === '' || k === 'toJSON') return undefined;
    out += first ? '"' : ',"';
    first = false;
    out += (plain(k) ? k + '"' : JSON.stringify(k).slice(1)) + ':' + json;
  }
  return out + '}';
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

/** `head` followed by the method key, as one flat string (a data key when `head` is a prefix). */
function keyAfter(head, type, url, params, data, headers) {
  if (typeof type === 'string' && typeof url === 'string' && plain(type) && plain(url)) {
    let key = append(head + '["' + type + '","' + url + '",', params);
    if (key !== undefined) key = append(key + ',', data);
    if (key !== undefined) key = append(key + ',', headers);
    if (key !== undefined) return flatten(key + ']');
  }
  return flatten(head + JSON.stringify([type, url, params, data, headers]));
}

module.exports = { methodKey, keyAfter, flatten };
