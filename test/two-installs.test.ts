import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseUrl, testRedisUrl } from './infra.js';
import { startOwnRedis } from './own-services.js';
import { readyUrl, spawnApp } from './spawn-app.js';
import { connectWs, type WsClient } from './ws-client.js';
import { postJson } from './http.js';

/** Two installs need two PostgreSQL databases and a Redis; they run with the real services. */
const realServices = testDatabaseUrl !== undefined && testRedisUrl !== undefined;

describe.runIf(realServices)('two installs sharing one Redis', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('never deliver one install’s events to the other’s sockets', async () => {
    const redis = await startOwnRedis();
    const databases = [await createEmptyPostgresDatabase(), await createEmptyPostgresDatabase()];
    // Each on a Redis database number of its own, as two teams would configure them.
    const apps = databases.map((database, index) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-installs-'));
      dataDirs.push(dataDir);
      return spawnApp({
        DATA_DIR: dataDir,
        PORT: '0',
        ROLES: 'api',
        JWT_SECRET: `install-${index}-has-a-secret-of-its-own-32+chars`,
        RATE_LIMIT_MAX: '100000',
        DATABASE_URL: database.url,
        REDIS_URL: `${redis.url}/${7 + index}`,
      });
    });
    const sockets: WsClient[] = [];
    try {
      const [a, b] = await Promise.all(apps.map((app) => readyUrl(app)));
      type SignIn = { access_token: string };
      const staffSocket = async (url: string) => {
        const agent = await postJson<SignIn>(`${url}/api/v1/auth/demo`, { role: 'agent' });
        const socket = await connectWs(`${url.replace(/^http/, 'ws')}/api/v1/ws`, {
          token: agent.access_token,
          awaitAuth: true,
        });
        sockets.push(socket);
        return socket;
      };
      const staffOnA = await staffSocket(a!);
      const staffOnB = await staffSocket(b!);

      const user = await postJson<SignIn>(`${a}/api/v1/auth/demo`, { role: 'user' });
      const categories = (await (
        await fetch(`${a}/api/v1/categories`, {
          headers: { authorization: `Bearer ${user.access_token}` },
        })
      ).json()) as { items: { id: string }[] };
      const ticket = await postJson<{ id: string }>(
        `${a}/api/v1/tickets`,
        { category_id: categories.items[0]?.id, title: 'Install A', description: 'Only for A' },
        user.access_token,
      );

      // A's own staff hear of it; B's staff, on another install, must not.
      const onA = await staffOnA.next('ticket.created', undefined, 10_000);
      expect(onA.ticket_id).toBe(ticket.id);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(staffOnB.frames.filter((frame) => frame.type === 'ticket.created')).toEqual([]);
    } finally {
      for (const socket of sockets) socket.close();
      for (const app of apps) app.child.kill('SIGTERM');
      await Promise.all(apps.map((app) => app.exited));
      await Promise.all(databases.map((database) => database.drop()));
      await redis.destroy();
    }
  }, 120_000);
});
