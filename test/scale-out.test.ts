import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { postJson } from './http.js';
import {
  createEmptyPostgresDatabase,
  testDatabaseUrl,
  testRedisUrl,
  uniquePrefix,
} from './infra.js';
import { signInitData } from './init-data.js';
import { readyUrl, spawnApp, type AppProcess } from './spawn-app.js';
import { connectWs, type WsClient } from './ws-client.js';

const owner = 555_001;
const customer = 555_002;
/** The address the test speaks for through X-Forwarded-For (the processes trust loopback). */
const attacker = '203.0.113.50';

/** Once `pattern` appears in what the process printed; fails with its output otherwise. */
async function printed(app: AppProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(app.output())) {
    if (app.child.exitCode !== null || Date.now() > deadline) {
      app.child.kill('SIGKILL');
      throw new Error(`process did not print ${String(pattern)}:\n${app.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Messages the fake Bot API took for `chat`. */
function sentTo(api: FakeBotApi, chat: number) {
  return api.sent('sendMessage').filter((call) => Number(call.params.chat_id) === chat);
}

type SignIn = { access_token: string; user: { id: string } };

// The production shape on one machine: two api processes and a worker on one PostgreSQL and
// Redis (docs/operations.md, "Scaling out"). Real services only (vitest.config.ts).
describe.runIf(testDatabaseUrl !== undefined && testRedisUrl !== undefined)(
  'two api processes and a worker on one PostgreSQL and Redis',
  () => {
    const cleanups: (() => Promise<unknown> | void)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.toReversed()) await cleanup();
    });

    it('share tickets, live events, notifications, rate limits and bans', async () => {
      const api = await startFakeBotApi();
      cleanups.push(() => api.close());
      const database = await createEmptyPostgresDatabase();
      cleanups.push(() => database.drop());
      const prefix = uniquePrefix();
      const start = (roles: string): AppProcess => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-scale-'));
        cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
        const app = spawnApp({
          DATA_DIR: dataDir,
          PORT: '0',
          ROLES: roles,
          DATABASE_URL: database.url,
          REDIS_URL: testRedisUrl ?? '',
          REDIS_PREFIX: prefix,
          JWT_SECRET: 'scale-out-test-secret-of-at-least-32-chars',
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.url,
          OWNER_TELEGRAM_IDS: String(owner),
          TRUST_PROXY: 'loopback',
          AUTH_RATE_LIMIT_MAX: '4',
          ABUSE_BAN_STRIKES: '6',
        });
        cleanups.push(() => {
          app.child.kill('SIGTERM');
          return app.exited;
        });
        return app;
      };
      // The first migrates and creates the default category; the others start on it.
      const first = start('api');
      const one = await readyUrl(first);
      const [two, worker] = [start('api'), start('worker')];
      const twoUrl = await readyUrl(two);
      await printed(worker, /metrics served at \/metrics/);

      const signIn = (url: string, id: number) =>
        postJson<SignIn>(`${url}/api/v1/auth/telegram`, {
          init_data: signInitData({ id }, { botToken: api.token }),
        });
      const staff = await signIn(twoUrl, owner); // the owner hears of new tickets
      const socket: WsClient = await connectWs(`${twoUrl.replace(/^http/, 'ws')}/api/v1/ws`, {
        token: staff.access_token,
        awaitAuth: true,
      });
      cleanups.push(() => socket.close());

      // A customer's ticket through api #1 reaches the staff socket on api #2...
      const person = await signIn(one, customer);
      const categories = (await (
        await fetch(`${one}/api/v1/categories`, {
          headers: { authorization: `Bearer ${person.access_token}` },
        })
      ).json()) as { items: { id: string }[] };
      const ticket = await postJson<{ id: string; number: number }>(
        `${one}/api/v1/tickets`,
        { category_id: categories.items[0]?.id, title: 'Scaled', description: 'Across machines' },
        person.access_token,
      );
      const created = await socket.next('ticket.created', (frame) => frame.ticket_id === ticket.id);
      expect(created.data).toMatchObject({ id: ticket.id, title: 'Scaled' });

      // ...and the worker tells the owner in Telegram, once.
      const sent = await api.waitFor(
        'sendMessage',
        (call) => Number(call.params.chat_id) === owner,
        20_000,
      );
      expect(String(sent.params.text)).toContain('Scaled');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(sentTo(api, owner)).toHaveLength(1);

      // The sign-in limit (4 per address) is one limit across both processes; its 429s and the
      // failed sign-ins are strikes, counted together: the sixth bans the address everywhere.
      const failSignIn = (url: string) =>
        fetch(`${url}/api/v1/auth/telegram`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': attacker },
          body: JSON.stringify({ init_data: 'auth_date=1&hash=00' }),
        }).then((response) => response.status);
      const statuses = [];
      for (const url of [one, twoUrl, one, twoUrl, one, twoUrl])
        statuses.push(await failSignIn(url));
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      for (const url of [one, twoUrl]) {
        const refused = await fetch(`${url}/api/v1/config`, {
          headers: { 'x-forwarded-for': attacker },
        });
        expect(refused.status, url).toBe(403);
        expect(((await refused.json()) as { code: string }).code).toBe('ip_banned');
      }
      // Lifted through one process, served again by both.
      const lifted = await fetch(`${one}/api/v1/admin/bans/${attacker}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${staff.access_token}` },
      });
      expect(lifted.status).toBe(204);
      for (const url of [one, twoUrl]) {
        const served = await fetch(`${url}/api/v1/config`, {
          headers: { 'x-forwarded-for': attacker },
        });
        expect(served.status, url).toBe(200);
      }
      // The ban was announced once, by the process that counted the sixth strike.
      const announced = (first.output() + two.output()).match(
        /abuse: address banned after repeated strikes/g,
      );
      expect(announced).toHaveLength(1);
    }, 180_000);
  },
);
