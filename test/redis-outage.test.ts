import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './app.js';
import { testDatabaseUrl, testRedisUrl } from './infra.js';
import { startOwnRedis, type OwnRedis } from './own-services.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from './people.js';
import { connectWs, listenWs, type WsClient } from './ws-client.js';

/** Redis that goes away needs a Redis of the test's own; it runs with the real services. */
const realServices = testDatabaseUrl !== undefined && testRedisUrl !== undefined;

/** What a request took, in milliseconds, and its answer. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

describe.runIf(realServices)('an api process whose Redis goes down and comes back', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let wsUrl: string;
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await createTestApp({
      env: { REDIS_URL: redis.url, RATE_LIMIT_MAX: '40', AUTH_RATE_LIMIT_MAX: '1000' },
      startQueue: true,
    });
    wsUrl = await listenWs(t.app);
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await redis?.destroy();
  });

  it('signs in and serves signed-in requests at once, limits rates per process, reports degraded, and resynchronises sockets when Redis is back', async () => {
    const category = await addCategory(t);
    const agent = await signInAs(t, 'agent', { first_name: 'Artem' });
    const user = await signInAs(t, 'user', { first_name: 'Ulla' });
    const staffSocket = await connectWs(wsUrl, { token: agent.token, awaitAuth: true });
    sockets.push(staffSocket);
    const blockedElsewhere = await signInAs(t, 'user', { first_name: 'Boris' });
    const blockedSocket = await connectWs(wsUrl, {
      token: blockedElsewhere.token,
      awaitAuth: true,
    });
    sockets.push(blockedSocket);

    await redis.stop();

    // Sign-in and a signed-in request answer as usual, without waiting for Redis.
    const signIn = await timed(() => signInAs(t, 'user', { first_name: 'Sasha' }));
    expect(signIn.ms).toBeLessThan(1000);
    const me = await timed(() => callAs(t, user, 'GET', '/auth/me'));
    expect(me.result.statusCode).toBe(200);
    expect(me.ms).toBeLessThan(1000);
    const opened = await timed(() => openTicket(t, user, category, { title: 'During the outage' }));
    expect(opened.ms).toBeLessThan(1000);

    // Readiness names Redis as down but stays 200: everything it backs has a fallback.
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toEqual({
      status: 'degraded',
      checks: { database: 'ok', queue: 'ok', redis: 'down' },
    });
    expect(ready.statusCode).toBe(200);

    // Rate limits still apply, counted by this process alone while Redis is away.
    const limited: Person = await signInAs(t, 'user', { first_name: 'Lena' });
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      statuses.push((await callAs(t, limited, 'GET', '/auth/me')).statusCode);
    }
    expect(statuses.slice(0, 40).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);

    // Another process blocks a user meanwhile; its announcement never reaches this one.
    await t.container.database.db
      .update(users)
      .set({ isActive: false })
      .where(eq(users.id, blockedElsewhere.id));

    // A process started while Redis is down starts on the fallbacks, after a short wait.
    const late = await timed(() => createTestApp({ env: { REDIS_URL: redis.url } }));
    try {
      expect(late.ms).toBeLessThan(10_000);
      const newcomer = await signInAs(late.result, 'user', { first_name: 'Nina' });
      expect((await callAs(late.result, newcomer, 'GET', '/auth/me')).statusCode).toBe(200);
    } finally {
      await late.result.close();
    }

    // Back: readiness recovers by itself, the socket is told to resynchronise, and events
    // travel through Redis again.
    await redis.start();
    const restarted = performance.now();
    let recoveredMs: number | undefined;
    while (performance.now() - restarted < 10_000) {
      const again = await t.app.inject({ method: 'GET', url: '/health/ready' });
      if (again.statusCode === 200 && again.json<{ status: string }>().status === 'ok') {
        recoveredMs = performance.now() - restarted;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recoveredMs).toBeLessThan(3000);
    console.log(
      `Redis down: sign-in ${Math.round(signIn.ms)} ms, GET /auth/me ${Math.round(me.ms)} ms, ` +
        `POST /tickets ${Math.round(opened.ms)} ms; ready again ${Math.round(recoveredMs ?? -1)} ms after the restart`,
    );
    await staffSocket.next('resync', undefined, 5_000);
    // What it may have missed is checked again: the blocked user's socket is closed.
    const closed = await Promise.race([
      blockedSocket.closed,
      new Promise<{ code: number }>((resolve) => setTimeout(() => resolve({ code: 0 }), 5_000)),
    ]);
    expect(closed.code).toBe(4403);
    const ticket = await openTicket(t, user, category, { title: 'After the outage' });
    const created = await staffSocket.next(
      'ticket.created',
      (frame) => frame.ticket_id === ticket.id,
      5_000,
    );
    expect(created.data).toMatchObject({ title: 'After the outage' });
  }, 60_000);
});
