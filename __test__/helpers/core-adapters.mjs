// Plain JS storage adapters (sync and async) that record every call, and a counting request
// adapter, for the cache suites.

/** A storage adapter over a Map; `async: true` makes every member return a promise. */
export function recordingStorage({ async = false, json = false } = {}) {
  const map = new Map();
  const calls = [];
  const wrap = (fn) => (async ? async (...a) => fn(...a) : fn);
  return {
    map,
    calls,
    set: wrap((k, v) => {
      calls.push(['set', k]);
      map.set(k, json ? JSON.stringify(v) : v);
    }),
    get: wrap((k) => {
      calls.push(['get', k]);
      const v = map.get(k);
      return json && v !== undefined ? JSON.parse(v) : v;
    }),
    remove: wrap((k) => {
      calls.push(['remove', k]);
      map.delete(k);
    }),
    clear: wrap(() => {
      calls.push(['clear']);
      map.clear();
    }),
  };
}

/**
 * A request adapter answering `answer(elements)` after a short delay with `headers`; keeps its
 * calls in `adapter.calls`.
 */
export function countingAdapter(answer = (el) => ({ url: el.url, data: el.data ?? null }), delay = 5, headers = {}) {
  const adapter = (elements, method) => {
    adapter.calls.push({ elements, method });
    let reject;
    let timer;
    const response = new Promise((res, rej) => {
      reject = rej;
      timer = setTimeout(() => {
        try {
          res(answer(elements, method));
        } catch (e) {
          rej(e);
        }
      }, delay);
    });
    return {
      response: () => response,
      headers: async () => ({ ...headers }),
      abort() {
        clearTimeout(timer);
        const e = new Error('This operation was aborted');
        e.name = 'AbortError';
        reject(e);
      },
    };
  };
  adapter.calls = [];
  return adapter;
}
