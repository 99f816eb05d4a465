'use strict';
module.exports = require('./lib/storage-file');
