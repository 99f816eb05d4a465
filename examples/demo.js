'use strict';
// Placeholder until the core lands: proves the addon loads.
const { nativeVersion } = require('@alova/native');
console.log(`@alova/native ${nativeVersion} loaded`);
