'use strict';
// Named methods seen on the network, for `alova.snapshots.match(...)`.
const { AlovaError } = require('../errors');
const { isFn, isPlainObject, isString } = require('./utils');

class MethodSnapshotContainer {
  constructor(capacity) {
    this.records = {};
    this.occupy = 0;
    if (!(capacity >= 0)) throw new AlovaError('expected snapshots limit to be >= 0');
    this.capacity = capacity;
  }

  /** Records a method under its name until the capacity is reached (no eviction). */
  save(method) {
    const { name } = method.config;
    if (name && this.occupy < this.capacity) {
      (this.records[name] = this.records[name] || new Set()).add(method);
      this.occupy += 1;
    }
  }

  /** Methods whose name equals a string, tests true against a RegExp, then pass `filter`. */
  match(matcher, matchAll = true) {
    let nameMatcher = matcher;
    let filter;
    if (isPlainObject(matcher)) {
      nameMatcher = matcher.name;
      filter = matcher.filter;
    }
    const { records } = this;
    let matches = new Set();
    if (nameMatcher instanceof RegExp) {
      for (const name of Object.keys(records)) {
        if (nameMatcher.test(name)) for (const m of records[name]) matches.add(m);
      }
    } else if (isString(nameMatcher) && nameMatcher) {
      matches = records[nameMatcher] || matches;
    }
    const list = isFn(filter) ? [...matches].filter(filter) : [...matches];
    return matchAll ? list : list[0];
  }
}

module.exports = { MethodSnapshotContainer };
