// A local npm registry (verdaccio) on loopback, for installing the package as users do.
// Verdaccio is not a dependency of the package: it is installed on first use into a folder
// kept between runs. 6.8.0 is the last release for Node 20; its node-fetch is pinned to 2.7.0
// (newer 2.x builds want Node 22 APIs).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const VERDACCIO = '6.8.0';
const home = path.join(os.tmpdir(), `alova-native-verdaccio-${VERDACCIO}`);

export function npm(args, opts = {}) {
  const r = spawnSync('npm', args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

function ensureVerdaccio() {
  const bin = path.join(home, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(home, { recursive: true });
  const manifest = {
    name: 'alova-native-test-registry',
    private: true,
    dependencies: { verdaccio: VERDACCIO },
    overrides: { 'node-fetch': '2.7.0' },
  };
  fs.writeFileSync(path.join(home, 'package.json'), JSON.stringify(manifest, null, 2));
  const r = npm(['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts'], { cwd: home });
  if (r.status !== 0) throw new Error(`installing verdaccio ${VERDACCIO} failed:\n${r.stderr}`);
  return bin;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

/**
 * Starts an empty registry with no uplinks (nothing is fetched from elsewhere), and a user
 * allowed to publish. Returns its URL, an npmrc with that user's token, and `stop()`.
 */
export async function startRegistry(dir) {
  const bin = ensureVerdaccio();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = path.join(dir, 'verdaccio.yaml');
  fs.writeFileSync(
    config,
    [
      `storage: ${path.join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${path.join(dir, 'htpasswd')}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited:\n${output}`);
      try {
        if ((await fetch(`${url}-/ping`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`verdaccio did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Verdaccio's htpasswd plugin registers a user on first login and answers its token.
    const res = await fetch(`${url}-/user/org.couchdb.user:ci`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', password: 'ci-password' }),
    });
    const { token } = await res.json();
    if (!token) throw new Error(`no token from verdaccio (${res.status})`);
    const npmrc = path.join(dir, 'npmrc');
    fs.writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
