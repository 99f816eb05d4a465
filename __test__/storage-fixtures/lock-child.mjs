// A process that takes a lock, holds it, releases it and prints when it held it.
// argv: <redis|file> <adapter config as JSON> <resource> <hold ms> [die]
// With `die` it prints "locked" and waits to be killed while holding the lock.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const [kind, config, resource, hold, die] = process.argv.slice(2);
const Adapter = require(kind === 'redis' ? '@alova/native/storage-redis' : '@alova/native/storage-file');
const adapter = new Adapter(JSON.parse(config));
const locker = adapter.locker;

await locker.lock(resource);
const start = Date.now();
if (die) {
  console.log('locked');
  setInterval(() => {}, 1000);
} else {
  await sleep(Number(hold));
  const end = Date.now();
  await locker.unlock(resource);
  console.log(JSON.stringify({ start, end }));
  adapter.close?.();
}
