// Compiled on its own by snippets.test.mjs, which expects exactly this error: an adapter
// whose clear() resolves a count is not alova's AlovaGlobalCacheAdapter.
import type { AlovaGlobalCacheAdapter } from '../../../index';

declare const countingClear: {
  set(key: string, value: any): Promise<void>;
  get(key: string): Promise<any>;
  remove(key: string): Promise<void>;
  clear(): Promise<number>;
};
export const adapter: AlovaGlobalCacheAdapter = countingClear;
