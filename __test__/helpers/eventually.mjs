// Retries `check` every 50 ms until it resolves (its value is returned) or `ms` have passed
// (its last error is thrown): for state that settles on its own, such as a restarted server.
import { setTimeout as sleep } from 'node:timers/promises';

export async function eventually(check, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(50);
    }
  }
}
