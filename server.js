'use strict';
module.exports = require('./lib/server');
// As alova/server's CommonJS build: `require(...).default` is the module itself.
module.exports.default = module.exports;
