'use strict';
const native = require('../native');

module.exports = { nativeVersion: native.version() };
