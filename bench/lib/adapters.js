'use strict';
// Cache adapters the benchmarks put behind alova: the L2 a user writes for alova 3.5.5 over a
// JS Redis client, and an L1 that keeps nothing (every send then reaches L2).

/**
 * An alova L2 adapter over a JS Redis client. `setPx(key, json, px)` writes with an expiry in
 * ms (0 = none); entries already expired are not written.
 */
function jsRedisAdapter(client, prefix, setPx) {
  return {
    async set(key, value) {
      const ts = Array.isArray(value) ? value[1] : undefined;
      const px = typeof ts === 'number' ? ts - Date.now() : 0;
      if (typeof ts === 'number' && px <= 0) return;
      await setPx(prefix + key, JSON.stringify(value), px);
    },
    async get(key) {
      const raw = await client.get(prefix + key);
      return raw ? JSON.parse(raw) : undefined;
    },
    async remove(key) {
      await client.del(prefix + key);
    },
    async clear() {},
  };
}

const ioredisAdapter = (client, prefix = 'io:') =>
  jsRedisAdapter(client, prefix, (key, json, px) => (px > 0 ? client.set(key, json, 'PX', px) : client.set(key, json)));

const nodeRedisAdapter = (client, prefix = 'nr:') =>
  jsRedisAdapter(client, prefix, (key, json, px) => client.set(key, json, px > 0 ? { PX: px } : undefined));

/** An L1 that never keeps anything. */
const emptyL1 = () => ({ set() {}, get() {}, remove() {}, clear() {} });

module.exports = { ioredisAdapter, nodeRedisAdapter, emptyL1 };
