'use strict';
// Node transport: a native hub in the cluster primary, native clients in the workers, over a
// Unix socket at a well-known path per app id in an owner-only directory.
const os = require('node:os');
const path = require('node:path');
const { createHash } = require('node:crypto');
const { linkAdapter, nativeOptions, native } = require('./native-link');
const { fromNative, AlovaError, codes } = require('../errors');

const AlovaIPCID = 'alova-default-channel';

/** The socket path for an app id (directory overridable with ALOVA_PSC_DIR). */
function socketPath(id = AlovaIPCID) {
  if (typeof id !== 'string' || id === '') {
    throw new AlovaError('the shared-cache id must be a non-empty string', 'psc', codes.INVALID_ARG);
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const dir = process.env.ALOVA_PSC_DIR || path.join(os.tmpdir(), `alova-psc-${uid}`);
  // Unix socket paths are short (108 bytes): long or unusual ids are hashed.
  const name = /^[\w.-]{1,64}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 32);
  return path.join(dir, `${name}.sock`);
}

// Hubs not yet stopped. A hub ends when its handle is collected, and alova's primary awaits
// createNodePSCSynchronizer() without keeping the result: this keeps it serving.
const running = new Set();

/**
 * Starts the hub on its own thread; it serves until `stop()` (which closes every connection
 * and removes the socket) or the end of the process. No signal handler is installed.
 */
async function createNodePSCSynchronizer(id = AlovaIPCID, options = {}) {
  let hub;
  try {
    hub = native.PscHub.start(socketPath(id), nativeOptions(options));
  } catch (err) {
    throw fromNative(err, 'psc');
  }
  running.add(hub);
  return () => {
    running.delete(hub);
    hub.stop();
  };
}

/** A worker's connection to the hub; connects (and reconnects) in the background. */
function NodeSyncAdapter(onConnect, id = AlovaIPCID, options = {}) {
  const file = socketPath(id);
  const opts = nativeOptions(options);
  return linkAdapter('NodeSyncAdapter', (cb) => native.PscLink.connectHub(file, opts, cb), onConnect);
}

module.exports = { AlovaIPCID, NodeSyncAdapter, createNodePSCSynchronizer, socketPath };
