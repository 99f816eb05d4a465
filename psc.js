'use strict';
module.exports = require('./lib/psc');
