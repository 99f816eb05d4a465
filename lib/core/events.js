'use strict';
// alova's event manager shape: on/off/emit over an `eventMap` of handler arrays.

function createEventManager() {
  const eventMap = {};
  return {
    eventMap,
    on(type, handler) {
      const list = (eventMap[type] = eventMap[type] || []);
      list.push(handler);
      return () => {
        const i = list.indexOf(handler);
        if (i > -1) list.splice(i, 1);
      };
    },
    off(type, handler) {
      const list = eventMap[type];
      if (!list) return;
      if (handler) {
        const i = list.indexOf(handler);
        if (i > -1) list.splice(i, 1);
      } else {
        delete eventMap[type];
      }
    },
    emit(type, event) {
      return (eventMap[type] || []).map((h) => h(event));
    },
  };
}

/** True when someone listens for `type` (lets hot paths skip building event objects). */
const hasListeners = (emitter, type) => {
  const list = emitter.eventMap[type];
  return !!(list && list.length);
};

module.exports = { createEventManager, hasListeners };
