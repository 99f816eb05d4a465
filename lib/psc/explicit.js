'use strict';
// A synchronous in-memory cache over a plain object, the default local copy of a PSC adapter.

class ExplicitCacheAdapter {
  constructor() {
    this._cache = {};
  }
  set(key, value) {
    this._cache[key] = value;
  }
  get(key) {
    return this._cache[key];
  }
  remove(key) {
    delete this._cache[key];
  }
  clear() {
    this._cache = {};
  }
  /** The object holding every entry. */
  getCache() {
    return this._cache;
  }
}

module.exports = { ExplicitCacheAdapter };
