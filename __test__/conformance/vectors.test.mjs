// Rules written once and checked in every language through the shared vectors in
// __test__/fixtures/vectors/ (the Rust tests read the same files).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import Redis from 'ioredis';
import { startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const vectors = (name) => JSON.parse(fs.readFileSync(new URL(`../fixtures/vectors/${name}.json`, import.meta.url), 'utf8'));

describe('rate-limit record step', () => {
  const { cases } = vectors('ratelimit');
  const { nextRecord, RECORD_SCRIPT } = require('../../lib/server/rate-limit/record.js');
  const args = (c) => [c.points, c.durationMs, c.limit, c.blockMs, c.force];
  const scriptArgs = (c) => [c.points, c.durationMs, c.limit, c.blockMs, c.force ? '1' : '0'];

  it('JS: nextRecord gives every expected record', () => {
    assert.ok(cases.length >= 20);
    for (const c of cases) {
      const old = c.old && [...c.old];
      assert.deepEqual(nextRecord(old, ...args(c), c.now), c.expect, c.name);
      assert.deepEqual(old, c.old, `${c.name}: the old record is not changed`);
    }
  });

  describe('Lua: the Redis script on a real redis-server', () => {
    let redis;
    let client;
    before(async () => {
      redis = await startRedis();
      client = new Redis(redis.port, '127.0.0.1');
    });
    after(async () => {
      client.disconnect();
      await redis.stop();
    });

    it('gives every expected record, and stores it', async () => {
      for (const [i, c] of cases.entries()) {
        const key = `rl:${i}`;
        if (c.old) await client.set(key, JSON.stringify(c.old));
        const out = await client.eval(RECORD_SCRIPT, 1, key, c.now, ...scriptArgs(c));
        assert.deepEqual(out.map(Number), c.expect, c.name);
        const stored = await client.get(key);
        const ttl = await client.pttl(key);
        assert.deepEqual(JSON.parse(stored), c.expect, c.name);
        // the key's PX follows the record's expiry, measured from the case's clock
        if (c.expect[1] === -1) assert.equal(ttl, -1, c.name);
        else assert.ok(ttl > 0 && ttl <= c.expect[1] - c.now, `${c.name}: PX ${ttl}`);
      }
    });

    it('runs several steps of one call in order', async () => {
      const now = 1_000_000;
      const steps = [
        [1, 1000, 2, 5000, '0'],
        [1, 1000, 2, 5000, '0'],
        [1, 1000, 2, 5000, '0'],
      ];
      const out = await client.eval(RECORD_SCRIPT, 3, 'seq', 'seq', 'seq', now, ...steps.flat());
      let rec = null;
      const want = [];
      for (const s of steps) {
        rec = nextRecord(rec, s[0], s[1], s[2], s[3], s[4] === '1', now);
        want.push(...rec);
      }
      assert.deepEqual(out.map(Number), want);
      assert.deepEqual(want.slice(-2), [3, now + 5000]);
    });
  });
});

describe('entry expiry', () => {
  const { cases } = vectors('expiry');
  const { expiryOf, isExpired } = require('../../lib/core/expiry.js');

  it('JS: expiryOf gives every expected time', () => {
    assert.ok(cases.length >= 20);
    for (const c of cases) {
      const value = JSON.parse(c.entry);
      assert.equal(expiryOf(value), c.expiresAt ?? 0, c.name);
      if (c.expiresAt === null) assert.equal(isExpired(value, Number.MAX_SAFE_INTEGER), false, c.name);
      else {
        assert.equal(isExpired(value, c.expiresAt - 1), false, `${c.name}: before`);
        assert.equal(isExpired(value, c.expiresAt), true, `${c.name}: at`);
      }
    }
  });

  it('JS: values JSON cannot carry follow the same rule', () => {
    assert.equal(expiryOf(['x', Infinity]), 0);
    assert.equal(expiryOf(['x', NaN]), 0);
    assert.equal(expiryOf(['x', undefined]), 0);
    assert.equal(expiryOf(['x', new Date(5)]), 0);
    assert.equal(expiryOf(['x', 5n]), 0);
  });
});

describe('layout constants', () => {
  it('come from the binding (src/constants.rs), and lib/ keeps no copy', () => {
    const binding = require('../../binding.js');
    assert.equal(binding.RATE_LIMIT_SLOTS, 6);
    assert.equal(binding.RATE_LIMIT_HEADER, binding.RATE_LIMIT_SLOTS * 8);
    assert.equal(binding.L1_COUNT_SHIFT, 2 ** 32);
    const copies = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
        if (e.isDirectory()) walk(p);
        else if (/\b(4294967296|SLOTS\s*=\s*\d|HEADER\s*=\s*\d)/.test(fs.readFileSync(p, 'utf8'))) copies.push(p.pathname);
      }
    };
    walk(new URL('../../lib/', import.meta.url));
    assert.deepEqual(copies, []);
  });
});
