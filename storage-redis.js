'use strict';
module.exports = require('./lib/storage-redis');
