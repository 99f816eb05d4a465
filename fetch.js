'use strict';
module.exports = require('./lib/fetch');
