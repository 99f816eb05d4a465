'use strict';
// Names shared by the transports: the event names of alova's IPC protocol and the marker a
// sync adapter carries when its transport is native (hub socket or Redis).

module.exports = {
  TO_MAIN: 'alova-ipc-to-main',
  TO_CLIENT: 'alova-ipc-to-client',
  kLink: Symbol.for('alova.native.psc.link'),
  // `syncAdapter[kOnConnect](fn)`: runs `fn` on every (re)connection of a native link.
  kOnConnect: Symbol.for('alova.native.psc.onConnect'),
};
