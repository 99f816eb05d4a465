'use strict';
// The hub of alova's event protocol, for custom and Electron transports. Unlike alova's, it
// keeps one store per scope: a clear and an init snapshot concern the requester's scope only.
const { ExplicitCacheAdapter } = require('./explicit');

function createPSCSynchronizer(syncAdapter) {
  const stores = new Map();
  const storeOf = (scope) => {
    let s = stores.get(scope);
    if (!s) stores.set(scope, (s = new ExplicitCacheAdapter()));
    return s;
  };
  syncAdapter.receive((event, reply) => {
    if (!event || typeof event !== 'object') return undefined;
    const store = storeOf(event.scope);
    switch (event.type) {
      case 'set':
        store.set(event.key, event.value);
        return syncAdapter.send(event);
      case 'remove':
        store.remove(event.key);
        return syncAdapter.send(event);
      case 'clear':
        store.clear();
        return syncAdapter.send(event);
      case 'init': {
        const snapshot = {
          scope: event.scope,
          senderID: '',
          type: 'init',
          key: '',
          value: JSON.stringify(store.getCache()),
        };
        return reply ? reply(snapshot) : syncAdapter.send(snapshot);
      }
      default:
        return undefined;
    }
  });
}

module.exports = { createPSCSynchronizer };
