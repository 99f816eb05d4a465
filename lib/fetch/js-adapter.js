'use strict';
// With `customFetch` the adapter behaves as alova's own: the given fetch does the request.
const { applyHeaderRules, encodeBody } = require('./request');
const { timeoutError } = require('./errors');
const { after } = require('../timers');
const { error: logError } = require('../core/logger');

const UPLOAD_UNSUPPORTED =
  "fetch API does'nt support uploading progress. please consider to change `@alova/adapter-xhr` or `@alova/adapter-axios`";

function createJsAdapter(customFetch) {
  return (elements, method) => {
    const config = (method && method.config) || {};
    const timeout = config.timeout || 0;
    const ctrl = new AbortController();
    const { data, headers } = elements;
    applyHeaderRules(headers, data);
    let timer;
    let timedOut = false;
    const fetched = Promise.resolve()
      .then(() => encodeBody(data))
      .then(({ body }) => customFetch(elements.url, { ...config, method: elements.type, signal: ctrl.signal, body }));
    if (timeout > 0) {
      timer = after(timeout, () => {
        timedOut = true;
        ctrl.abort();
      });
    }
    const settled = fetched.then(
      (r) => {
        if (timer) timer.clear();
        return r;
      },
      (err) => {
        if (timer) timer.clear();
        throw timedOut ? timeoutError() : err;
      },
    );
    settled.catch(() => {});
    return {
      response: () => settled.then((r) => r.clone()),
      headers: () => settled.then((r) => r.headers, () => ({})),
      onDownload: (cb) => {
        settled.then((r) => readProgress(r.clone(), cb), () => {});
      },
      onUpload() {
        logError(method && method.context.options.logger, UPLOAD_UNSUPPORTED);
      },
      abort: () => {
        ctrl.abort();
        if (timer) timer.clear();
      },
    };
  };
}

async function readProgress(response, cb) {
  const total = Number(response.headers.get('content-length') || 0);
  if (!(total > 0) || !response.body) return;
  let loaded = 0;
  try {
    for await (const chunk of response.body) {
      loaded += chunk.byteLength;
      cb(loaded, total);
    }
  } catch {
    cb(loaded, 0);
  }
}

module.exports = { createJsAdapter };
