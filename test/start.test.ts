import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseUrl } from './infra.js';
import { readyUrl, spawnApp, type AppProcess } from './spawn-app.js';

/** The port of a process's "metrics served" log line, once it prints it. */
async function metricsPort(app: AppProcess, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = app
      .output()
      .split('\n')
      .find((text) => text.includes('metrics served at'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (app.child.exitCode !== null || Date.now() > deadline) {
      app.child.kill('SIGKILL');
      throw new Error(`no metrics listener:\n${app.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with nothing configured, is ready, signs in a demo user and stops cleanly on SIGTERM', async () => {
    const database = testDatabaseUrl ? await createEmptyPostgresDatabase() : undefined;
    const server = spawnApp({
      DATA_DIR: dataDir,
      PORT: '0',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    try {
      const address = await readyUrl(server, 45_000);
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

  it('serves /metrics with the worker’s heartbeat from a worker-only process', async () => {
    const database = testDatabaseUrl ? await createEmptyPostgresDatabase() : undefined;
    const server = spawnApp({
      DATA_DIR: dataDir,
      PORT: '0',
      ROLES: 'worker',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    try {
      const port = await metricsPort(server, 45_000);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      const sample = (name: string) =>
        Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text)?.[1]);
      // Against the process's own start time, on its own clock (the test's may be moved ahead):
      // the worker beat as it started, not some time before.
      const started = sample('process_start_time_seconds');
      expect(started).toBeGreaterThan(0);
      expect(sample('ttb_worker_heartbeat_timestamp_seconds')).toBeGreaterThanOrEqual(started - 1);
      expect(sample('ttb_worker_heartbeat_timestamp_seconds')).toBeLessThan(started + 60);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(404);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      await database?.drop();
    }
  }, 90_000);

  it('refuses a bad setting with one line naming the variable', async () => {
    const server = spawnApp({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toMatch(/^Invalid configuration: PORT: /);
    expect(server.output().trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
