'use strict';
// A synchronous in-memory cache over a plain object, the default local copy of a PSC adapter.
//
// When a native replica keeps it valid, changed entries are first recorded as UNREAD and
// their JSON is fetched and parsed on first read (`load`), so that a late worker receiving
// thousands of entries does not parse those it never reads.
const UNREAD = Symbol('alova.psc.unread');

class ExplicitCacheAdapter {
  constructor() {
    this._cache = {};
    this._load = undefined;
  }
  set(key, value) {
    this._cache[key] = value;
  }
  get(key) {
    const v = this._cache[key];
    return v === UNREAD ? this._read(key) : v;
  }
  remove(key) {
    delete this._cache[key];
  }
  clear() {
    this._cache = {};
  }
  /** The object holding every entry. */
  getCache() {
    for (const key of Object.keys(this._cache)) if (this._cache[key] === UNREAD) this._read(key);
    return this._cache;
  }
  _read(key) {
    const text = this._load(key);
    if (text === null || text === undefined) {
      delete this._cache[key];
      return undefined;
    }
    return (this._cache[key] = JSON.parse(text));
  }
}

module.exports = { ExplicitCacheAdapter, UNREAD };
