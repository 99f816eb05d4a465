'use strict';
// Response headers as they come from the engine: one `name:value\n` string, parsed on first
// use. Read-only, like the headers of a fetch Response, and an `instanceof Headers`.

const IMMUTABLE = 'immutable';

class NativeHeaders {
  #raw;
  #list = null; // [name, value, name, value, ...] in arrival order

  constructor(raw) {
    this.#raw = raw;
  }

  #pairs() {
    return this.#list || (this.#list = parseHeaderBlock(this.#raw));
  }

  get(name) {
    const key = String(name).toLowerCase();
    const list = this.#pairs();
    let out = null;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === key) out = out === null ? list[i + 1] : `${out}, ${list[i + 1]}`;
    }
    return out;
  }

  has(name) {
    const key = String(name).toLowerCase();
    const list = this.#pairs();
    for (let i = 0; i < list.length; i += 2) if (list[i] === key) return true;
    return false;
  }

  getSetCookie() {
    const list = this.#pairs();
    const out = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === 'set-cookie') out.push(list[i + 1]);
    return out;
  }

  /** Sorted and combined, as a Headers object iterates (set-cookie stays separate). */
  *entries() {
    const names = [...new Set(this.#pairs().filter((_, i) => i % 2 === 0))].sort();
    for (const name of names) {
      if (name === 'set-cookie') for (const v of this.getSetCookie()) yield [name, v];
      else yield [name, this.get(name)];
    }
  }

  *keys() {
    for (const [k] of this.entries()) yield k;
  }

  *values() {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  forEach(cb, thisArg) {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }

  append() {
    throw new TypeError(IMMUTABLE);
  }

  set() {
    throw new TypeError(IMMUTABLE);
  }

  delete() {
    throw new TypeError(IMMUTABLE);
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return Object.fromEntries(this.entries());
  }
}

Object.setPrototypeOf(NativeHeaders.prototype, Headers.prototype);
Object.defineProperty(NativeHeaders.prototype, Symbol.toStringTag, { value: 'Headers' });

/** The engine's `name:value\n` header block as `[name, value, ...]` in arrival order. */
function parseHeaderBlock(raw) {
  const list = [];
  let i = 0;
  while (i < raw.length) {
    const colon = raw.indexOf(':', i);
    const end = raw.indexOf('\n', colon);
    list.push(raw.slice(i, colon), raw.slice(colon + 1, end));
    i = end + 1;
  }
  return list;
}

module.exports = { NativeHeaders, parseHeaderBlock };
