// The `logger` option (a pino-compatible object) where the package logs: cache hits, stale
// serves, Redis read failures, compromised file locks; console output without it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpServer, freePort } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const { createAlova } = require('@alova/native');
const adapterFetch = require('@alova/native/fetch');
const RedisStorageAdapter = require('@alova/native/storage-redis');
const FileStorageAdapter = require('@alova/native/storage-file');

/** A pino-shaped logger keeping `[level, fields, message]`. */
function recordingLogger() {
  const lines = [];
  const logger = { lines };
  for (const level of ['debug', 'info', 'warn', 'error']) logger[level] = (fields, msg) => lines.push([level, fields, msg]);
  return logger;
}

/** Runs `fn` while recording console.log/warn calls (the default output). */
async function consoleDuring(fn) {
  const seen = [];
  const saved = { log: console.log, warn: console.warn, groupCollapsed: console.groupCollapsed };
  console.log = (...a) => seen.push(['log', ...a]);
  console.warn = (...a) => seen.push(['warn', ...a]);
  console.groupCollapsed = (...a) => seen.push(['group', ...a]);
  try {
    await fn();
  } finally {
    Object.assign(console, saved);
  }
  return seen;
}

describe('logger option', () => {
  it('cache hits go to logger.debug instead of the console', async () => {
    const origin = await startHttpServer((req, res) => res.end('{"v":1}'));
    try {
      const logger = recordingLogger();
      const withLogger = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), responded: (r) => r.json(), logger });
      const plain = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), responded: (r) => r.json() });
      const seen = await consoleDuring(async () => {
        await withLogger.Get('/a');
        await withLogger.Get('/a');
      });
      assert.deepEqual(seen, [], 'nothing printed');
      assert.equal(logger.lines.length, 1);
      const [level, fields, msg] = logger.lines[0];
      assert.equal(level, 'debug');
      assert.equal(msg, 'alova: cache hit');
      assert.equal(fields.url, '/a');
      assert.equal(fields.mode, 'memory');
      assert.match(fields.key, /\/a/);
      // Without the option: alova's console output, unchanged.
      const printed = await consoleDuring(async () => {
        await plain.Get('/b');
        await plain.Get('/b');
      });
      assert.ok(printed.length > 0);
      // cacheLogger still wins: false silences, a function replaces.
      const silent = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), cacheLogger: false, logger });
      await silent.Get('/c');
      await silent.Get('/c');
      assert.equal(logger.lines.length, 1);
    } finally {
      await origin.close();
    }
  });

  it('a stale serve is a warn with the error', async () => {
    const origin = await startHttpServer((req, res) => res.end('{"v":1}'));
    const logger = recordingLogger();
    const alova = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch(), responded: (r) => r.json(), cacheLogger: false, logger });
    const get = () => alova.Get('/s', { cacheFor: { expire: 30, staleIfError: 10_000 } });
    await get();
    await sleep(60);
    await origin.close();
    assert.deepEqual(await get(), { v: 1 });
    assert.equal(logger.lines.length, 1);
    const [level, fields] = logger.lines[0];
    assert.equal(level, 'warn');
    assert.equal(fields.layer, 'L1');
    assert.ok(fields.err instanceof Error);
  });

  it('RedisStorageAdapter: a failed read (treated as a miss) is a warn', async () => {
    const logger = recordingLogger();
    const port = await freePort(); // nothing listens there
    const a = new RedisStorageAdapter({ port, commandTimeout: 200, circuitBreaker: false, logger });
    try {
      assert.equal(await a.get('k'), undefined);
      assert.equal(logger.lines.length, 1);
      const [level, fields] = logger.lines[0];
      assert.equal(level, 'warn');
      assert.equal(fields.op, 'get');
      assert.equal(fields.key, 'k');
      assert.match(fields.err.code, /^ERR_ALOVA_(REDIS_UNAVAILABLE|TIMEOUT)$/);
    } finally {
      a.close();
    }
  });

  it('FileStorageAdapter: a compromised lock is an error on the logger, not a process warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-native-logger-'));
    const logger = recordingLogger();
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const a = new FileStorageAdapter({ directory: dir, lockerOptions: { stale: 2000, update: 1000 }, logger });
      await a.locker.lock('res');
      const { lockDir } = a.locker.paths('res');
      fs.rmSync(lockDir, { recursive: true });
      await sleep(1300);
      assert.equal(logger.lines.length, 1);
      const [level, fields, msg] = logger.lines[0];
      assert.equal(level, 'error');
      assert.equal(fields.err.code, 'ENOENT');
      assert.match(msg, /was compromised/);
      assert.equal(warnings.length, 0);
    } finally {
      process.off('warning', onWarning);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('customFetch: upload progress it cannot give is an error on the logger, not the console', async () => {
    const origin = await startHttpServer((req, res) => res.end('{}'));
    try {
      const logger = recordingLogger();
      const alova = createAlova({ baseURL: origin.url, requestAdapter: adapterFetch({ customFetch: fetch }), logger, cacheLogger: false });
      const seen = [];
      const saved = console.error;
      console.error = (...a) => seen.push(a);
      try {
        const method = alova.Post('/up', { a: 1 });
        method.onUpload(() => {});
        await method;
      } finally {
        console.error = saved;
      }
      assert.deepEqual(seen, []);
      assert.deepEqual(logger.lines.map(([level, , msg]) => [level, /uploading progress/.test(msg)]), [['error', true]]);
    } finally {
      await origin.close();
    }
  });

  it('refuses a logger without the four methods, at the call that got it', () => {
    const requestAdapter = adapterFetch();
    for (const bad of [{}, { debug() {}, info() {}, warn() {} }, 'pino', null]) {
      assert.throws(() => createAlova({ requestAdapter, logger: bad }), (e) => {
        assert.equal(e.name, '[alova]');
        assert.equal(e.code, 'ERR_ALOVA_INVALID_ARG');
        assert.match(e.message, /logger/);
        return true;
      });
    }
    assert.throws(() => new RedisStorageAdapter({ logger: console.log }), { name: '[alova/storage:redis]', code: 'ERR_ALOVA_INVALID_ARG' });
    assert.throws(() => new FileStorageAdapter({ directory: os.tmpdir(), logger: {} }), { name: '[alova/storage:file]', code: 'ERR_ALOVA_INVALID_ARG' });
    // console itself is pino-compatible enough.
    createAlova({ requestAdapter, logger: console });
  });
});
