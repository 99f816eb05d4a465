'use strict';
// File names for arbitrary keys. alova keys contain `/`, quotes, brackets and `:`; a name must
// not leave its directory, must be valid on every common filesystem, and two keys must not
// map to one name even where names are case-insensitive. So only `a-z 0-9 _ -` and a
// non-leading `.` are kept and every other byte becomes `%XX`; a name that would be too long
// for the filesystem keeps a readable head and ends with a hash of the whole key.
const crypto = require('node:crypto');

const MAX = 200;
const KEEP = /[a-z0-9_-]/;

function encodeName(key) {
  let out = '';
  for (const byte of Buffer.from(String(key), 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (KEEP.test(ch) || (ch === '.' && out.length > 0)) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  if (!out) return '%';
  if (out.length <= MAX) return out;
  return out.slice(0, MAX - 41) + '~' + crypto.createHash('sha256').update(String(key)).digest('hex').slice(0, 40);
}

module.exports = { encodeName };
