'use strict';
// Every layer that keeps counters registers itself here when it is made; nothing is called
// on its behalf until `metrics()` asks. Layers are held weakly: registering keeps nothing alive,
// and the entry of a collected layer is dropped by the finalizer, so a process that makes many
// short-lived layers and never reads metrics does not accumulate entries.

const layers = new Map(); // layer name → Set of { id, ref }
const dropped = new FinalizationRegistry(({ set, entry }) => set.delete(entry));
let nextId = 0;

/** Registers `source` (an object with `stats()`) under `layer`; returns its instance id. */
function register(layer, source) {
  let set = layers.get(layer);
  if (!set) layers.set(layer, (set = new Set()));
  const id = String(nextId++);
  const entry = { id, ref: new WeakRef(source) };
  set.add(entry);
  dropped.register(source, { set, entry });
  return id;
}

/** `[{ layer, id, stats }]` for every live source. */
function collect() {
  const out = [];
  for (const [layer, set] of layers) {
    for (const entry of set) {
      const source = entry.ref.deref();
      if (source) out.push({ layer, id: entry.id, stats: source.stats() });
    }
  }
  return out;
}

/** How many sources are registered (live or not yet finalized). */
const size = () => [...layers.values()].reduce((n, s) => n + s.size, 0);

module.exports = { register, collect, size };
