'use strict';
module.exports = require('./lib/core');
