import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * PostgreSQL and Redis servers of a test's own, on free ports, that the test may stop and start
 * again (outage tests and the fault drill). The shared servers on the standard ports are never
 * touched. Both need the servers' binaries (Debian's `postgresql` and `redis-server`), which the
 * runs against real services have; `.ci/run` installs them.
 */

/** A free TCP port on the loopback interface, as the kernel hands one out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Where Debian installs PostgreSQL's server binaries (`initdb`, `pg_ctl`), newest version. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions
    .map((version) => path.join(root, version, 'bin'))
    .find((dir) => existsSync(path.join(dir, 'initdb')));
}

const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) =>
  existsSync(file),
);

/** True when this machine has the binaries both kinds of server need. */
export const ownServersAvailable = postgresBinDir() !== undefined && redisServer !== undefined;

const asRoot = process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user, in a data
 * directory that user owns.
 */
function run(command: string, args: string[]): void {
  if (asRoot) execFileSync('/usr/sbin/runuser', ['-u', 'postgres', '--', command, ...args]);
  else execFileSync(command, args, { stdio: 'pipe' });
}

export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  /** Stops the server: `fast` disconnects clients cleanly, `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** Creates a PostgreSQL cluster in a temporary directory and starts it on a free port. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (Debian\'s "postgresql")');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('/usr/bin/id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('/usr/bin/id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const initdb = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'];
  run(path.join(bin, 'initdb'), initdb);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const log = path.join(dir, 'log');
  let running = false;
  const start = async (): Promise<void> => {
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', log, '-w', 'start']);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    if (!running) return;
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops the server (SIGKILL: like a crash, it keeps nothing). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Stops it for good. */
  destroy(): Promise<void>;
}

/** Starts a `redis-server` that keeps nothing on disk, on a free port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const binary = redisServer;
  if (!binary) throw new Error('redis-server not found (Debian\'s "redis-server")');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const server = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          server.stdout.off('data', onData);
          server.stdout.resume();
          resolve();
        }
      };
      server.stdout.on('data', onData);
      server.stderr.resume();
      server.once('error', reject);
      server.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
      );
    });
  };
  const stop = async (): Promise<void> => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    child = undefined;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, destroy: stop };
}
