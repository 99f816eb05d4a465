'use strict';
// atomize(method, { channel, timeout, interval }): runs the request while holding the l2
// adapter's lock on `channel`, across processes. alova's loop and error texts; the lock stays
// held for as long as the request runs (our lockers renew their lease while held) and is
// released on success, failure and abort. Aborting also stops waiting for the lock.
const { AlovaError, codes } = require('../errors');
const { HookedMethod, expectMethod } = require('./hooked-method');
const { sleep, withSignal } = require('./sendable');

const fail = (message, code) => new AlovaError(message, 'atomize', code);

function atomize(method, options = {}) {
  const { channel = 'default', timeout = 5000, interval = 100 } = options;
  expectMethod(method, 'atomize');
  const l2 = method.context.l2Cache;
  const locker = l2 && l2.locker;
  if (!locker) throw fail('expect set `@alova/storage-redis` or `@alova/storage-file` as l2Cache of alova instance.', codes.INVALID_ARG);

  return new HookedMethod(method, withSignal(async (forceRequest, signal) => {
    const start = Date.now();
    let locked = false;
    while (Date.now() - start < timeout) {
      if (signal.aborted) throw signal.reason;
      try {
        await locker.lock(channel);
        locked = true;
        break;
      } catch {
        // held elsewhere (or the store failed): wait and try again until the timeout
      }
      await sleep(interval, signal);
    }
    if (!locked) throw fail(`Failed to acquire lock within ${timeout}ms`);
    try {
      if (signal.aborted) throw signal.reason;
      return await method.send(forceRequest);
    } finally {
      await locker.unlock(channel);
    }
  }));
}

module.exports = { atomize };
