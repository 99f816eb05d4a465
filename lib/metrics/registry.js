'use strict';
// Every layer that keeps counters registers itself here when it is made; nothing is called
// on its behalf until `metrics()` asks. Layers are held weakly: registering keeps nothing alive.

const layers = new Map(); // layer name → Set of { id, ref }
let nextId = 0;

/** Registers `source` (an object with `stats()`) under `layer`; returns its instance id. */
function register(layer, source) {
  let set = layers.get(layer);
  if (!set) layers.set(layer, (set = new Set()));
  const id = String(nextId++);
  set.add({ id, ref: new WeakRef(source) });
  return id;
}

/** `[{ layer, id, stats }]` for every live source, dropping the ones collected since. */
function collect() {
  const out = [];
  for (const [layer, set] of layers) {
    for (const entry of set) {
      const source = entry.ref.deref();
      if (!source) set.delete(entry);
      else out.push({ layer, id: entry.id, stats: source.stats() });
    }
  }
  return out;
}

module.exports = { register, collect };
