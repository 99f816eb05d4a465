'use strict';
// Across hosts: L1 copies kept consistent through Redis pub/sub (see the engine's
// `psc::redis_sync` for why values are published, and removals for large values).
const { linkAdapter, nativeOptions, native } = require('./native-link');
const { AlovaError, codes } = require('../errors');

function RedisSyncAdapter({ url, channel = 'alova-psc', onConnect, ...options } = {}) {
  if (typeof url !== 'string' || url === '') {
    throw new AlovaError('RedisSyncAdapter needs a `url`', 'psc', codes.INVALID_ARG);
  }
  if (typeof channel !== 'string' || channel === '') {
    throw new AlovaError('`channel` must be a non-empty string', 'psc', codes.INVALID_ARG);
  }
  const opts = nativeOptions(options);
  return linkAdapter('RedisSyncAdapter', (cb) => native.PscLink.connectRedis(url, channel, opts, cb), onConnect);
}

module.exports = { RedisSyncAdapter };
