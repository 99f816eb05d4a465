// The storage conformance suite run against every adapter of this package (the default L1,
// Redis, file, the process-shared cache) and a plain JS object adapter (the behaviour of alova's own memory adapter).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { storageConformance, objectAdapter } from '../conformance/storage.mjs';
import { startRedis } from '../helpers/servers.mjs';

const require = createRequire(import.meta.url);
const RedisStorageAdapter = require('@alova/native/storage-redis');
const FileStorageAdapter = require('@alova/native/storage-file');

storageConformance('plain object', async () => ({ adapter: objectAdapter() }));

storageConformance('default L1 (L1Cache)', async () => {
  const { L1Cache } = require('@alova/native');
  const adapter = new L1Cache();
  return { adapter, close: () => adapter.clear() };
}, { expires: true });

storageConformance(
  'redis (native client)',
  async () => {
    const redis = await startRedis();
    const adapter = new RedisStorageAdapter({ port: redis.port });
    return {
      adapter,
      close: async () => {
        adapter.close();
        await redis.stop();
      },
    };
  },
  { expires: true },
);

storageConformance(
  'redis (ioredis client passed in)',
  async () => {
    const redis = await startRedis();
    const client = new Redis(redis.port, '127.0.0.1');
    return {
      adapter: new RedisStorageAdapter({ client }),
      close: async () => {
        client.disconnect();
        await redis.stop();
      },
    };
  },
  { expires: true },
);

storageConformance('file', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-file-conf-'));
  return {
    adapter: new FileStorageAdapter({ directory }),
    close: () => fs.rmSync(directory, { recursive: true, force: true }),
  };
});

storageConformance(
  'process-shared cache (native hub and link)',
  async () => {
    const { createNodePSCSynchronizer, createPSCAdapter, NodeSyncAdapter } = require('@alova/native/psc');
    const id = `conformance-${process.pid}`;
    const stopHub = await createNodePSCSynchronizer(id);
    const sync = NodeSyncAdapter(undefined, id);
    await sync.ready;
    return {
      adapter: createPSCAdapter(sync),
      close: async () => {
        sync.stop();
        await stopHub();
      },
    };
  },
  { expires: true },
);

storageConformance(
  'process-shared cache (custom sync adapter, alova event protocol)',
  async () => {
    const { createPSCAdapter, createSyncAdapter } = require('@alova/native/psc');
    return { adapter: createPSCAdapter(createSyncAdapter({ send() {}, receive() {} })) };
  },
  { expires: true },
);
