// A test CA and a leaf certificate for 127.0.0.1/localhost (webpki wants a CA plus a leaf whose
// basicConstraints say CA:FALSE). The suites read them from __test__/fixtures so that no openssl
// is needed; `node __test__/helpers/fetch-tls.mjs` makes a new set with openssl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function loadCertificates() {
  const read = (name) => fs.readFileSync(path.join(FIXTURES, name));
  return { ca: read('tls-ca.pem').toString(), key: read('tls-leaf.key'), cert: read('tls-leaf.pem') };
}

function makeCertificates() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-native-tls-'));
  const f = (name) => path.join(dir, name);
  const ssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '36500', '-subj', '/CN=alova-native test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(f('leaf.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ].join('\n'));
  ssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('leaf.pem'), '-days', '36500', '-extfile', f('leaf.ext'));
  const out = { ca: fs.readFileSync(f('ca.pem'), 'utf8'), key: fs.readFileSync(f('leaf.key')), cert: fs.readFileSync(f('leaf.pem')) };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const c = makeCertificates();
  fs.writeFileSync(path.join(FIXTURES, 'tls-ca.pem'), c.ca);
  fs.writeFileSync(path.join(FIXTURES, 'tls-leaf.key'), c.key);
  fs.writeFileSync(path.join(FIXTURES, 'tls-leaf.pem'), c.cert);
}
