// Redis as production runs it, started for a test: over TLS, on a unix socket, and a master
// with a replica watched by a sentinel. Each returns `stop()`, which kills what it started.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/servers.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const fixture = (name) => path.join(FIXTURES, name);

function reachable(target) {
  return new Promise((resolve) => {
    const s = net.connect(target);
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Spawns `cmd args` and waits until `target` (net.connect options) accepts connections. */
async function serve(cmd, args, target) {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await reachable(target)); i++) await sleep(50);
  if (!(await reachable(target))) {
    child.kill('SIGKILL');
    throw new Error(`${cmd} did not start`);
  }
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
}

const BASE = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

/** A client certificate (`tls-client.pem`/`.key`, here beside this file) and its CA. */
export const clientCertificate = (name) => fileURLToPath(new URL(name, import.meta.url));

/**
 * TLS only (no plain port), with the test CA's leaf for 127.0.0.1/localhost. With
 * `clientAuth`, clients must show a certificate from the client CA.
 */
export async function startTlsRedis({ clientAuth = false } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-redis-tls-'));
  const cas = path.join(dir, 'cas.pem');
  fs.writeFileSync(cas, Buffer.concat([fs.readFileSync(fixture('tls-ca.pem')), fs.readFileSync(clientCertificate('tls-client-ca.pem'))]));
  const args = [...BASE, '--port', '0', '--tls-port', String(port), '--tls-cert-file', fixture('tls-leaf.pem'),
    '--tls-key-file', fixture('tls-leaf.key'), '--tls-ca-cert-file', cas, '--tls-auth-clients', clientAuth ? 'yes' : 'no'];
  const server = await serve('redis-server', args, { port, host: '127.0.0.1' });
  return {
    port,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unix socket only. */
export async function startUnixRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-redis-sock-'));
  const socket = path.join(dir, 'redis.sock');
  const server = await serve('redis-server', [...BASE, '--port', '0', '--unixsocket', socket, '--unixsocketperm', '700'], { path: socket });
  return {
    path: socket,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A master, a replica and one sentinel (quorum 1) that watches them as `name`, with
 * `sentinelPassword` required by the sentinel.
 */
export async function startSentinelSet({ name = 'mymaster', sentinelPassword } = {}) {
  const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  // Every file the servers write (a replica saves the master's snapshot) stays in here.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alova-sentinel-'));
  const node = (port, ...extra) =>
    serve('redis-server', [...BASE, '--port', String(port), '--dir', dir, '--dbfilename', `dump-${port}.rdb`, ...extra], { port, host: '127.0.0.1' });
  // No 5 s wait before the first sync (Redis 7's default for diskless replication).
  const master = await node(masterPort, '--repl-diskless-sync-delay', '0');
  const replica = await node(replicaPort, '--replicaof', '127.0.0.1', String(masterPort));
  const conf = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(conf, [
    `port ${sentinelPort}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${name} 1000`,
    `sentinel failover-timeout ${name} 2000`,
    ...(sentinelPassword ? [`requirepass ${sentinelPassword}`] : []),
    '',
  ].join('\n'));
  const sentinel = await serve('redis-server', [conf, '--sentinel'], { port: sentinelPort, host: '127.0.0.1' });
  return {
    name,
    masterPort,
    replicaPort,
    sentinelPort,
    /** Kills the master, as a crash would. */
    stopMaster: () => master.stop(),
    async stop() {
      for (const s of [sentinel, replica, master]) await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
