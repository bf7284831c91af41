import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClamdScanner } from '../src/platform/scanner.js';

/** The EICAR anti-malware test file: harmless, and detected as a virus by every scanner. */
export const eicar = String.raw`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`;

/** Where Debian's clamav-daemon puts clamd. */
const clamdBinary = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((file) => existsSync(file));

/** A clamd of our own, with a one-signature database. */
export interface TestClamd {
  /** Use as CLAMAV_URL. */
  url: string;
  /** Milliseconds from spawn until it answered PING. */
  startMs: number;
  /** Its resident memory in KiB (Linux /proc), or undefined when unknown. */
  rssKiB(): number | undefined;
  close(): Promise<void>;
}

/** True when clamd is installed here (Debian's `clamav-daemon`). */
export const clamdInstalled = clamdBinary !== undefined;

/**
 * Starts clamd in the foreground on its own Unix socket, with a signature database made here
 * (EICAR's MD5 as a `.hdb` hash signature) since signatures cannot be downloaded on this
 * machine. Resolves undefined, with a console message, when clamd is not installed.
 */
export async function startClamd(): Promise<TestClamd | undefined> {
  if (!clamdBinary) {
    console.warn(
      'clamd is not installed (apt-get install clamav-daemon): antivirus tests are left out',
    );
    return undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-clamd-'));
  const databaseDir = path.join(dir, 'db');
  mkdirSync(databaseDir);
  // ClamAV's .hdb signatures are MD5 hashes by definition; nothing here relies on MD5's strength.
  // eslint-disable-next-line sonarjs/hashing
  const md5 = createHash('md5').update(eicar).digest('hex');
  writeFileSync(
    path.join(databaseDir, 'test.hdb'),
    `${md5}:${eicar.length}:Eicar-Test-Signature\n`,
  );
  const socket = path.join(dir, 'clamd.sock');
  const configFile = path.join(dir, 'clamd.conf');
  writeFileSync(
    configFile,
    [
      'Foreground yes',
      `LocalSocket ${socket}`,
      `DatabaseDirectory ${databaseDir}`,
      `TemporaryDirectory ${dir}`,
      `PidFile ${path.join(dir, 'clamd.pid')}`,
      'StreamMaxLength 25M',
      '',
    ].join('\n'),
  );

  const startedAt = performance.now();
  const child: ChildProcess = spawn(clamdBinary, [`--config-file=${configFile}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const url = `unix://${socket}`;
  const scanner = createClamdScanner(url);
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  while (!(await scanner.ping())) {
    if (child.exitCode !== null || performance.now() - startedAt > 30_000) {
      await close();
      throw new Error(`clamd did not start: ${stderr}`);
    }
    await sleep(20);
  }
  const startMs = Math.round(performance.now() - startedAt);
  return {
    url,
    startMs,
    rssKiB() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const match = /VmRSS:\s+(\d+) kB/.exec(status);
        return match?.[1] ? Number(match[1]) : undefined;
      } catch {
        return undefined;
      }
    },
    close,
  };
}
