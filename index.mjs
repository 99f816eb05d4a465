// One module state for require() and import: the ESM entry re-exports the CommonJS one.
import core from './index.js';

export const { nativeVersion } = core;
export default core;
