import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseUrl, testRedisUrl } from './infra.js';
import { readyUrl, spawnApp } from './spawn-app.js';
import { connectWs, type WsClient } from './ws-client.js';
import { postJson } from './http.js';

/** One `npm start` process (API role only, demo mode so demo sign-in works from loopback). */
async function startServer(env: Record<string, string>) {
  const app = spawnApp(env);
  const url = await readyUrl(app);
  return {
    url,
    async stop() {
      app.child.kill('SIGTERM');
      await app.exited;
    },
  };
}

/** Two processes need a shared database and Redis; embedded, one process plays both parts. */
const realServices = testDatabaseUrl !== undefined && testRedisUrl !== undefined;
if (!realServices) {
  console.log(
    'two-processes.test.ts: without TEST_DATABASE_URL and TEST_REDIS_URL one embedded process' +
      ' plays both servers; the cross-process fan-out is tested only on PostgreSQL + Redis',
  );
}

describe(
  realServices ? 'two server processes on one PostgreSQL and Redis' : 'one embedded server process',
  () => {
    const dataDirs: string[] = [];
    afterAll(() => {
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });

    it('delivers to a socket on one process a message posted through the other, and the counts move', async () => {
      const database = realServices ? await createEmptyPostgresDatabase() : undefined;
      const env = () => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-two-'));
        dataDirs.push(dataDir);
        return {
          DATA_DIR: dataDir,
          PORT: '0',
          ROLES: 'api',
          JWT_SECRET: 'two-processes-share-this-secret-of-32+chars',
          RATE_LIMIT_MAX: '100000',
          ...(database ? { DATABASE_URL: database.url, REDIS_URL: testRedisUrl ?? '' } : {}),
        };
      };
      const sockets: WsClient[] = [];
      // The first migrates and seeds; the second starts on the ready database.
      const a = await startServer(env());
      const b = database ? await startServer(env()) : a;
      try {
        type SignIn = { access_token: string; user: { id: string } };
        const user = await postJson<SignIn>(`${a.url}/api/v1/auth/demo`, { role: 'user' });
        const agent = await postJson<SignIn>(`${b.url}/api/v1/auth/demo`, { role: 'agent' });
        type Counts = { open: number; resolved: number; total: number };
        const countsOnB = async () =>
          (await (
            await fetch(`${b.url}/api/v1/tickets/counts`, {
              headers: { authorization: `Bearer ${agent.access_token}` },
            })
          ).json()) as Counts;
        /** B's counts once they satisfy `check`, well within the cache's 30 s bound. */
        const countsOnBWhen = async (check: (counts: Counts) => boolean) => {
          for (let attempt = 0; attempt < 50; attempt += 1) {
            const counts = await countsOnB();
            if (check(counts)) return counts;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return countsOnB();
        };
        const before = await countsOnB();
        const categories = (await (
          await fetch(`${a.url}/api/v1/categories`, {
            headers: { authorization: `Bearer ${user.access_token}` },
          })
        ).json()) as { items: { id: string }[] };
        const ticket = await postJson<{ id: string }>(
          `${a.url}/api/v1/tickets`,
          { category_id: categories.items[0]?.id, title: 'Across', description: 'Two processes' },
          user.access_token,
        );

        // B kept its counts, and the ticket opened on A moved them at once.
        expect(await countsOnBWhen((counts) => counts.total === before.total + 1)).toMatchObject({
          open: before.open + 1,
          total: before.total + 1,
        });
        await fetch(`${a.url}/api/v1/tickets/${ticket.id}/status`, {
          method: 'PUT',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${agent.access_token}`,
          },
          body: JSON.stringify({ status: 'resolved' }),
        });
        expect(await countsOnBWhen((counts) => counts.open === before.open)).toMatchObject({
          open: before.open,
          resolved: before.resolved + 1,
        });

        const subscribe = async (server: { url: string }, token: string) => {
          const socket = await connectWs(`${server.url.replace(/^http/, 'ws')}/api/v1/ws`, {
            token,
            awaitAuth: true,
          });
          sockets.push(socket);
          socket.send({ type: 'subscribe', ticket_id: ticket.id });
          await socket.next('subscribed');
          return socket;
        };
        const onB = await subscribe(b, agent.access_token);
        const onA = await subscribe(a, user.access_token);
        const message = await postJson<{ id: string }>(
          `${a.url}/api/v1/tickets/${ticket.id}/messages`,
          { content: 'Posted on A' },
          user.access_token,
        );
        const frame = await onB.next('message.created', undefined, 10_000);
        expect(frame).toMatchObject({
          ticket_id: ticket.id,
          data: { id: message.id, content: 'Posted on A' },
        });
        // Typing crosses too: the user types on A, the agent on B sees it.
        onA.send({ type: 'typing', ticket_id: ticket.id });
        expect((await onB.next('typing', undefined, 10_000)).data).toMatchObject({
          user_id: user.user.id,
        });
      } finally {
        for (const socket of sockets) socket.close();
        await Promise.all([a.stop(), b.stop()]);
        await database?.drop();
      }
    }, 120_000);
  },
);
