'use strict';
// The L2 defaults: a localStorage adapter where a global `localStorage` exists, otherwise a
// placeholder that refuses reads and writes (a server has no persistent store by default).
const { AlovaError } = require('../errors');
const { createEventManager } = require('./events');
const { isDataKey } = require('./storage');

function notDefined() {
  throw new AlovaError('l2Cache is not defined.');
}

// Placeholders made here, so the pipeline can skip invalidating what cannot hold anything.
const placeholders = new WeakSet();

function placeholderAdapter() {
  const adapter = { set: notDefined, get: notDefined, remove: notDefined, clear() {} };
  placeholders.add(adapter);
  return adapter;
}

const isPlaceholder = (adapter) => placeholders.has(adapter);

function localStorageAdapter() {
  const store = localStorage;
  const emitter = createEventManager();
  const emit = (type, key, value) => emitter.emit('success', { type, key, value, container: store });
  return {
    set(key, value) {
      store.setItem(key, JSON.stringify(value));
      emit('set', key, value);
    },
    get(key) {
      const raw = store.getItem(key);
      const value = raw ? JSON.parse(raw) : raw;
      emit('get', key, value);
      return value;
    },
    remove(key) {
      store.removeItem(key);
      emitter.emit('success', { type: 'remove', key, container: store });
    },
    clear() {
      for (let i = store.length - 1; i >= 0; i -= 1) {
        const key = store.key(i);
        if (key && isDataKey(key)) store.removeItem(key);
      }
      emitter.emit('success', { type: 'clear', key: '', container: store });
    },
    emitter,
  };
}

const defaultL2 = () => (typeof localStorage !== 'undefined' ? localStorageAdapter() : placeholderAdapter());

module.exports = { placeholderAdapter, isPlaceholder, localStorageAdapter, defaultL2 };
