import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseUrl } from './infra.js';

const root = path.resolve(import.meta.dirname, '..');

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitFor(predicate: () => string | undefined, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = predicate();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('timed out');
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with nothing configured, is ready, signs in a demo user and stops cleanly on SIGTERM', async () => {
    const database = testDatabaseUrl ? await createEmptyPostgresDatabase() : undefined;
    const server = start({
      DATA_DIR: dataDir,
      PORT: '0',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    try {
      const address = await waitFor(
        () => /is ready at (http:\/\/[\d.:]+)/.exec(server.output())?.[1],
        45_000,
      ).catch(() => {
        throw new Error(`server did not start:\n${server.output()}`);
      });
      expect(server.output()).toContain('antivirus scanning is off');
      const ready = await fetch(`${address}/health/ready`);
      expect(ready.status).toBe(200);
      const demo = await fetch(`${address}/api/v1/auth/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'agent' }),
      });
      expect(demo.status).toBe(200);
      expect(((await demo.json()) as { user: { first_name: string } }).user.first_name).toBe(
        'Boris',
      );
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutting down');
    } finally {
      server.child.kill('SIGKILL');
      await database?.drop();
    }
  }, 90_000);

  it('refuses a bad setting with one line naming the variable', async () => {
    const server = start({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toMatch(/^Invalid configuration: PORT: /);
    expect(server.output().trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
