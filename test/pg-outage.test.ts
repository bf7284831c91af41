import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botChat, type BotChat } from './bot.js';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { testDatabaseUrl, testRedisUrl } from './infra.js';
import { signInitData } from './init-data.js';
import { startOwnPostgres, type OwnPostgres } from './own-services.js';
import { readyUrl, spawnApp, type AppProcess } from './spawn-app.js';
import { connectWs, type WsClient } from './ws-client.js';

/** Stopping a PostgreSQL server needs one of our own, which the real-services pass can start. */
const realServices = testDatabaseUrl !== undefined && testRedisUrl !== undefined;
if (!realServices) {
  console.log(
    'pg-outage.test.ts: skipped without TEST_DATABASE_URL and TEST_REDIS_URL; a PostgreSQL' +
      ' outage needs a server of the test’s own (the embedded database cannot go away)',
  );
}

const ownerId = 8_200_001;
const customerId = 8_200_002;
/** People who write to the bot during an outage, one per outage. */
let visitorId = 8_200_010;
/** The Telegram ids of the users putting load on the server, one per concurrent loop. */
const loaderIds = [8_200_101, 8_200_102, 8_200_103, 8_200_104];
/** Longer than any request may take while the database is down: a reply, not a hang. */
const requestTimeoutMs = 8_000;
/** How long after PostgreSQL is back requests must succeed again. */
const recoveryBoundMs = 15_000;

/** One request of the load, as the client saw it. */
interface Sample {
  /** When it was sent and answered (`Date.now()`). */
  sentAt: number;
  doneAt: number;
  /** The HTTP status; 0 when it got no answer within {@link requestTimeoutMs}. */
  status: number;
  contentType: string;
  retryAfter: string | null;
}

type Session = { access_token: string; user: { id: string } };

describe.runIf(realServices)('PostgreSQL going away under load', () => {
  let pg: OwnPostgres;
  let fake: FakeBotApi;
  let server: AppProcess;
  let url: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-pgdown-'));
  const samples: Sample[] = [];
  let loading = true;
  let load: Promise<void> | undefined;
  let socket: WsClient | undefined;
  let owner: BotChat;
  let firstTicket: string;

  async function call(
    method: string,
    route: string,
    body?: object,
    token?: string,
  ): Promise<{ sample: Sample; json: unknown }> {
    const sentAt = Date.now();
    try {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await response.text();
      const sample = {
        sentAt,
        doneAt: Date.now(),
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        retryAfter: response.headers.get('retry-after'),
      };
      return { sample, json: text ? (JSON.parse(text) as unknown) : undefined };
    } catch {
      return {
        sample: { sentAt, doneAt: Date.now(), status: 0, contentType: '', retryAfter: null },
        json: undefined,
      };
    }
  }

  async function signIn(id: number): Promise<Session> {
    const initData = signInitData(
      { id, first_name: `User ${id}`, language_code: 'en' },
      { botToken: fake.token },
    );
    const { sample, json } = await call('POST', '/api/v1/auth/telegram', { init_data: initData });
    if (sample.status !== 200) throw new Error(`sign-in answered ${sample.status}`);
    return json as Session;
  }

  /** One user's steady traffic: sign in, list tickets, post a message, again and again. */
  async function loop(id: number, ticketId: string): Promise<void> {
    const initData = signInitData(
      { id, first_name: `User ${id}`, language_code: 'en' },
      { botToken: fake.token },
    );
    let token: string | undefined;
    let n = 0;
    while (loading) {
      const signedIn = await call('POST', '/api/v1/auth/telegram', { init_data: initData });
      samples.push(signedIn.sample);
      if (signedIn.sample.status === 200) token = (signedIn.json as Session).access_token;
      if (token) {
        samples.push((await call('GET', '/api/v1/tickets', undefined, token)).sample);
        n += 1;
        const content = { content: `Load message ${n}` };
        const route = `/api/v1/tickets/${ticketId}/messages`;
        samples.push((await call('POST', route, content, token)).sample);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function createTicket(token: string, title: string): Promise<string> {
    const categories = await call('GET', '/api/v1/categories', undefined, token);
    const categoryId = (categories.json as { items: { id: string }[] }).items[0]?.id;
    const created = await call(
      'POST',
      '/api/v1/tickets',
      { category_id: categoryId, title, description: 'Written while the database may go away' },
      token,
    );
    if (created.sample.status !== 201) throw new Error(`ticket answered ${created.sample.status}`);
    return (created.json as { id: string }).id;
  }

  beforeAll(async () => {
    [pg, fake] = await Promise.all([startOwnPostgres(), startFakeBotApi()]);
    server = spawnApp({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      PORT: '0',
      ROLES: 'api,worker,bot',
      DATABASE_URL: pg.url,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      OWNER_TELEGRAM_IDS: String(ownerId),
      RATE_LIMIT_MAX: '1000000',
      AUTH_RATE_LIMIT_MAX: '1000000',
      LOG_LEVEL: 'info',
    });
    url = await readyUrl(server, 120_000);
    await fake.waitFor('getUpdates', undefined, 30_000);
    // The owner has written to the bot, so new tickets reach them on Telegram.
    owner = botChat(fake, { id: ownerId, first_name: 'Olga', language_code: 'en' });
    owner.send('/start');
    await owner.next(15_000);

    const ownerSession = await signIn(ownerId);
    const tickets = await Promise.all(
      loaderIds.map(async (id) => createTicket((await signIn(id)).access_token, `Load ${id}`)),
    );
    firstTicket = tickets[0]!;
    socket = await connectWs(`${url.replace(/^http/, 'ws')}/api/v1/ws`, {
      token: ownerSession.access_token,
      awaitAuth: true,
    });
    load = Promise.all(loaderIds.map((id, index) => loop(id, tickets[index]!))).then(() => {});
  }, 180_000);

  afterAll(async () => {
    loading = false;
    await load;
    socket?.close();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await fake?.close();
    await pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Stops PostgreSQL for `downMs` under the load; what the clients saw, and when it recovered. */
  async function outage(mode: 'fast' | 'immediate', downMs: number) {
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // load before the outage
    const from = samples.length;
    const logFrom = server.output().length;
    await pg.stop(mode);
    const stoppedAt = Date.now();
    // Someone writes to the bot meanwhile: it still answers, asking them to try again later.
    visitorId += 1;
    const visitor = botChat(fake, { id: visitorId, first_name: 'Vera', language_code: 'en' });
    visitor.send('/start');
    const botReply = (await visitor.next(downMs)).text;
    // An open socket asks for something that needs the database: told so, and kept open.
    socket?.send({ type: 'subscribe', ticket_id: firstTicket });
    const socketReply = await socket?.next('error', undefined, downMs);
    await new Promise((resolve) => setTimeout(resolve, stoppedAt + downMs - Date.now()));
    const ready = await call('GET', '/health/ready');
    const alive = server.child.exitCode === null;
    const startedAt = Date.now();
    await pg.start();
    const upAt = Date.now();
    let recoveredAt: number | undefined;
    while (recoveredAt === undefined && Date.now() - upAt < recoveryBoundMs + 5_000) {
      recoveredAt = samples
        .slice(from)
        .find((s) => s.sentAt >= upAt && s.status >= 200 && s.status < 300)?.doneAt;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const during = samples.slice(from).filter((s) => s.sentAt >= stoppedAt && s.sentAt < startedAt);
    const byStatus: Record<string, number> = {};
    for (const s of during) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    const recoveryMs = recoveredAt === undefined ? undefined : recoveredAt - upAt;
    console.log(
      `pg-outage (${mode}): ${during.length} requests during ${downMs} ms down, by status`,
      JSON.stringify(byStatus),
      `; first success ${recoveryMs ?? 'never'} ms after PostgreSQL was back`,
    );
    // Lines at level error (50) or above: an outage is warned about, not logged per failure.
    const errorLines = server
      .output()
      .slice(logFrom)
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line));
    return { alive, ready, during, recoveryMs, botReply, socketReply, errorLines };
  }

  for (const mode of ['fast', 'immediate'] as const) {
    it(`answers 503 while PostgreSQL is stopped (${mode}) and recovers by itself`, async () => {
      const { alive, ready, during, recoveryMs, botReply, socketReply, errorLines } = await outage(
        mode,
        4_000,
      );
      expect(alive, server.output().slice(-4_000)).toBe(true);
      expect(botReply).toContain('try again');
      expect(errorLines).toEqual([]);
      expect(ready.sample.status).toBe(503);
      expect(ready.json).toMatchObject({ status: 'unavailable', checks: { database: 'down' } });
      // Every request got an answer within requestTimeoutMs (status 0: none), and every failure
      // was a 503 to retry.
      expect(during.length).toBeGreaterThan(0);
      const failed = during.filter((s) => s.status < 200 || s.status >= 300);
      expect(failed.length).toBeGreaterThan(0);
      for (const sample of failed) {
        expect(sample).toMatchObject({
          status: 503,
          contentType: expect.stringContaining('application/problem+json'),
          retryAfter: expect.stringMatching(/^\d+$/),
        });
      }
      expect(socketReply?.code).toBe('database_unavailable');
      expect(socket?.socket.readyState).toBe(socket?.socket.OPEN);
      expect(recoveryMs).toBeDefined();
      expect(recoveryMs).toBeLessThan(recoveryBoundMs);
      expect((await call('GET', '/health/ready')).sample.status).toBe(200);
    }, 60_000);
  }

  it('keeps the bot and the worker going once PostgreSQL is back', async () => {
    // The bot answers someone new…
    const newcomer = botChat(fake, { id: 8_200_003, first_name: 'Nina', language_code: 'en' });
    newcomer.send('/start');
    expect((await newcomer.next(20_000)).text).toContain('Nina');
    // …and a ticket created now reaches the owner on Telegram, through the worker.
    const customer = await signIn(customerId);
    await createTicket(customer.access_token, 'After the outage');
    await fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === ownerId && String(c.params.text).includes('After the'),
      20_000,
    );
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
