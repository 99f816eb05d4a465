// One conformance suite for every alova storage adapter (L1 and L2). Call it from a test file
// with a factory; each test gets a fresh adapter.
//
//   storageConformance('redis', async () => ({ adapter, close }), { expires: true })
//
// caps.expires: the adapter drops `[data, expireTs]` entries by itself once expireTs passes,
//   under the one entry-expiry rule (lib/core/expiry.js, cases in __test__/fixtures/vectors/expiry.json);
//   otherwise entries are kept as stored and alova checks the timestamp on read.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const expiryCases = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/expiry.json', import.meta.url), 'utf8')).cases;

export function storageConformance(name, create, caps = {}) {
  describe(`storage conformance: ${name}`, () => {
    let adapter;
    let close;
    before(async () => {
      ({ adapter, close } = await create());
      await adapter.clear();
    });
    after(async () => {
      await adapter.clear();
      if (close) await close();
    });

    const roundTrip = async (key, value) => {
      await adapter.set(key, value);
      assert.deepEqual(await adapter.get(key), value);
    };

    it('round-trips alova entries, index objects and arrays', async () => {
      await roundTrip('$a.1["GET","/unit-test",{},null,{}]', [{ id: 1, list: [1, 2, { a: null }] }]);
      await roundTrip('hss.source', { '$a.1["GET","/a",{},null,{}]': 0 });
      await roundTrip('$$hsrs', ['^/a', 'x__$<>$__gi']);
      await roundTrip('tagged', [{ ok: true }, Date.now() + 60_000, 'v2']);
    });

    it('round-trips unicode text and keys', async () => {
      await roundTrip('ключ/键/🔑', ['Grüße 你好 🌍 \u0000 \u2028 "quoted" \\ back']);
    });

    it('round-trips a large nested value', async () => {
      const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(100), nested: { deep: [i, { ok: i % 2 === 0 }] } })) };
      await roundTrip('big', [big]);
    });

    it('returns undefined for a missing key', async () => {
      assert.equal(await adapter.get('missing-' + Math.random()), undefined);
    });

    it('overwrites a value', async () => {
      await adapter.set('over', [1]);
      await adapter.set('over', [2]);
      assert.deepEqual(await adapter.get('over'), [2]);
    });

    it('removes a key, and removing a missing key is fine', async () => {
      await adapter.set('gone', [1]);
      await adapter.remove('gone');
      assert.equal(await adapter.get('gone'), undefined);
      await adapter.remove('never-there');
    });

    it('clears every cache entry', async () => {
      await adapter.set('hss.c1', { '$a.2["GET","/c2",{},null,{}]': 0 });
      await adapter.set('$a.2["GET","/c2",{},null,{}]', [2]);
      await adapter.clear();
      assert.equal(await adapter.get('hss.c1'), undefined);
      assert.equal(await adapter.get('$a.2["GET","/c2",{},null,{}]'), undefined);
    });

    it(caps.expires ? 'drops an entry when its expiry passes' : 'keeps the expiry timestamp for alova to check', async () => {
      const entry = [{ v: 1 }, Date.now() + 300];
      await adapter.set('exp', entry);
      assert.deepEqual(await adapter.get('exp'), entry);
      if (!caps.expires) return;
      for (let i = 0; i < 100 && (await adapter.get('exp')) !== undefined; i++) await sleep(50);
      assert.equal(await adapter.get('exp'), undefined);
    });

    it(caps.expires ? 'applies the entry-expiry rule to every shared case' : 'keeps every shared expiry case as stored', async () => {
      const now = Date.now();
      await Promise.all(expiryCases.map((c, i) => adapter.set(`expiry:${i}`, JSON.parse(c.entry))));
      for (const [i, c] of expiryCases.entries()) {
        const gone = caps.expires && c.expiresAt !== null && c.expiresAt <= now;
        const got = await adapter.get(`expiry:${i}`);
        if (gone) assert.equal(got, undefined, c.name);
        // compared as JSON: a serialising store gives `1e400` (Infinity) back as null
        else assert.equal(JSON.stringify(got), JSON.stringify(JSON.parse(c.entry)), c.name);
      }
    });

    it(caps.expires ? 'an entry written already expired leaves nothing under its key' : 'an entry written already expired is kept for alova to check', async () => {
      await adapter.set('expired-over', [{ v: 1 }]);
      const past = [{ v: 2 }, Date.now() - 1000];
      await adapter.set('expired-over', past);
      if (caps.expires) assert.equal(await adapter.get('expired-over'), undefined);
      else assert.deepEqual(await adapter.get('expired-over'), past);
      // a never-expiring rate-limit record is kept everywhere
      await adapter.set('rl-never', [3, -1]);
      assert.deepEqual(await adapter.get('rl-never'), [3, -1]);
    });

    it('handles concurrent writes and reads: the last write of a key wins', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => adapter.set('race', { count: i })));
      assert.deepEqual(await adapter.get('race'), { count: 49 });
      const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((k, i) => adapter.set(k, [i])));
      const values = await Promise.all(keys.map((k) => adapter.get(k)));
      assert.deepEqual(values, keys.map((_, i) => [i]));
      const same = await Promise.all(Array.from({ length: 20 }, () => adapter.get('k7')));
      for (const v of same) assert.deepEqual(v, [7]);
    });
  });
}

/** The smallest adapter alova accepts: a plain object, values stored as given. */
export function objectAdapter() {
  let store = {};
  return {
    set(key, value) {
      store[key] = value;
    },
    get(key) {
      return store[key];
    },
    remove(key) {
      delete store[key];
    },
    clear() {
      store = {};
    },
  };
}
