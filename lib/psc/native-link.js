'use strict';
// Sync adapters whose transport is native. The object they return carries the link under
// `kLink`; createPSCAdapter attaches a replica to it. Events never go through JS callbacks on
// this path, so the protocol methods `send`/`receive` are not available.
const native = require('../native');
const { AlovaError, fromNative, codes } = require('../errors');
const { kLink, kOnConnect } = require('./events');

function nativeOptions(o = {}) {
  const out = {};
  for (const name of ['maxFrameBytes', 'maxEntries', 'maxValueBytes', 'maxPublishBytes']) {
    if (o[name] === undefined) continue;
    if (!Number.isInteger(o[name]) || o[name] <= 0 || o[name] > 0xffffffff) {
      throw new AlovaError(`\`${name}\` must be a positive integer`, 'psc', codes.INVALID_ARG);
    }
    out[name] = o[name];
  }
  return out;
}

/**
 * Wraps a native link as a sync adapter. `onConnect(stop)` runs on every (re)connection;
 * `ready` resolves on the first one, once every copy attached before then holds the shared
 * state (a read right after it finds the shared entries).
 */
function linkAdapter(name, connect, onConnect) {
  let resolveReady;
  let isReady = false;
  const ready = new Promise((r) => (resolveReady = r));
  // Copies attached before `ready`, held weakly (a copy dropped by the app is not waited for).
  const copies = [];
  // Checked on each connection and each time a snapshot lands (the link says so).
  const checkReady = () => {
    if (isReady || !link.connected) return;
    if (copies.some((ref) => ref.deref()?.synced === false)) return;
    copies.length = 0;
    isReady = true;
    resolveReady();
  };
  // The native link holds no handle on the event loop: once someone asks for `ready`, this
  // timer (never due in practice) keeps a process with nothing else to do waiting for it.
  let waiting;
  let stopped = false;
  const startWaiting = () => {
    if (waiting || isReady || stopped) return;
    waiting = setInterval(() => {}, 2 ** 31 - 1);
    ready.then(stopWaiting);
  };
  const stopWaiting = () => clearInterval(waiting);
  let link;
  const stop = () => {
    stopped = true;
    stopWaiting();
    link.stop();
  };
  // Adapters on this link, held weakly (an adapter dropped by the app is not kept alive).
  const adapters = new Set();
  try {
    link = connect((synced) => {
      checkReady();
      if (synced) return;
      for (const ref of adapters) {
        const fn = ref.deref();
        if (fn) fn();
        else adapters.delete(ref);
      }
      if (typeof onConnect === 'function') onConnect(stop);
    });
  } catch (err) {
    throw fromNative(err, 'psc');
  }
  const unsupported = (method) => () => {
    throw new AlovaError(
      `${name}.${method}() is not available: its events travel natively; use it through createPSCAdapter`,
      'psc',
      codes.PSC,
    );
  };
  return {
    [kLink]: () => ({
      attach: (scope) => {
        const replica = link.attach(scope);
        if (!isReady) copies.push(new WeakRef(replica));
        return replica;
      },
    }),
    [kOnConnect]: (fn) => void adapters.add(new WeakRef(fn)),
    get ready() {
      startWaiting();
      return ready;
    },
    stop,
    get connected() {
      return link.connected;
    },
    send: unsupported('send'),
    receive: unsupported('receive'),
  };
}

module.exports = { linkAdapter, nativeOptions, native };
