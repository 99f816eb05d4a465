'use strict';
// Where the native engine follows Node's fetch rather than its own defaults: the environment
// variables Node's TLS and proxy settings read, and handing requests to Node's fetch when an
// undici dispatcher (a MockAgent in tests, a custom Agent) has been put in charge.
const fs = require('node:fs');
const { createJsAdapter } = require('./js-adapter');

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
// Node's fetch installs its default dispatcher when its classes load; ours use Response and
// Headers at load, so what is there now is Node's own (unless replaced before this module
// was loaded).
void Response;
const nodeDispatcher = globalThis[DISPATCHER];

let warnedInsecure = false;

/**
 * Engine options from the environment, as Node reads it: `NODE_EXTRA_CA_CERTS` (a PEM file
 * of extra roots), `NODE_TLS_REJECT_UNAUTHORIZED=0`, and `NODE_USE_ENV_PROXY=1` to follow
 * `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (which Node's fetch otherwise ignores).
 */
function fetchOptionsFromEnv(env = process.env) {
  const out = {};
  if (env.NODE_EXTRA_CA_CERTS) {
    try {
      out.ca = [fs.readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8')];
    } catch (err) {
      process.emitWarning(`Ignoring extra certs from \`${env.NODE_EXTRA_CA_CERTS}\`, load failed: ${err.message}`);
    }
  }
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') out.rejectUnauthorized = false;
  out.envProxy = env.NODE_USE_ENV_PROXY === '1';
  return out;
}

/** Node's warning, once, when the variable is what turns verification off. */
function warnInsecure() {
  if (warnedInsecure) return;
  warnedInsecure = true;
  process.emitWarning(
    "Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification.",
  );
}

let jsFetchAdapter = null;

/**
 * The adapter of Node's fetch when a request must go through undici's dispatcher: it names
 * one (`dispatcher` in its config) or the global one is no longer Node's. Else null.
 */
function viaJsFetch(config) {
  if (config.dispatcher === undefined && globalThis[DISPATCHER] === nodeDispatcher) return null;
  return jsFetchAdapter || (jsFetchAdapter = createJsAdapter((url, init) => fetch(url, init)));
}

module.exports = { fetchOptionsFromEnv, warnInsecure, viaJsFetch };
