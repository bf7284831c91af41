import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import { startRealtimeApp, type SocketPool } from '../../test/realtime-fixture.js';
import { connectWs, listenWs, type WsClient } from '../../test/ws-client.js';

describe('WebSocket limits', () => {
  let t: TestApp;
  let url: string;
  let person: Person;
  let sockets: SocketPool;

  function open(who: Person = person): Promise<WsClient> {
    return sockets.connect({ token: who.token });
  }

  beforeAll(async () => {
    ({ t, url, sockets } = await startRealtimeApp({
      WS_MAX_CONNECTIONS_PER_USER: '2',
      WS_MAX_CONNECTIONS_PER_IP: '4',
      WS_MAX_SUBSCRIPTIONS: '2',
      WS_MAX_MESSAGE_BYTES: '256',
      WS_MESSAGES_PER_S: '5',
      WS_MAX_BUFFERED_BYTES: '1024',
    }));
    person = await signInAs(t, 'user');
  });
  // The server forgets a socket when its close arrives; give it that moment.
  afterEach(() => sockets.closeAll({ settleMs: 50 }));
  afterAll(() => t.close());

  it('refuses a user’s socket beyond the per-user limit, and only the newest', async () => {
    const first = await open();
    const second = await open();
    await Promise.all([first.next('authenticated'), second.next('authenticated')]);
    const third = await open();
    expect(await third.next('error')).toMatchObject({ code: 'too_many_connections' });
    expect((await third.closed).code).toBe(4429);
    first.send({ type: 'ping' });
    await first.next('pong');
  });

  it('keeps to the per-user limit when several sockets sign in at the same moment', async () => {
    const racer = await signInAs(t, 'user');
    const racing = await Promise.all(Array.from({ length: 5 }, () => open(racer)));
    const outcomes = await Promise.all(
      racing.map((client) =>
        Promise.race([
          client.next('authenticated').then(() => 'in'),
          client.closed.then(() => 'refused'),
        ]),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'in')).toHaveLength(2);
  });

  it('refuses sockets from one address beyond the per-address limit while none has signed in', async () => {
    for (let i = 0; i < 4; i++) sockets.track(await connectWs(url));
    const fifth = sockets.track(await connectWs(url));
    expect(await fifth.next('error')).toMatchObject({ code: 'too_many_connections' });
    expect((await fifth.closed).code).toBe(4429);
  });

  it('lets signed-in users behind one address past the per-address limit, each within their own', async () => {
    // An office or a mobile carrier: many people, one address.
    const people = await Promise.all(Array.from({ length: 6 }, () => signInAs(t, 'user')));
    const clients = await Promise.all(people.map((who) => open(who)));
    const signedIn = await Promise.all(clients.map((client) => client.next('authenticated')));
    expect(signedIn.map((frame) => frame.data?.user_id)).toEqual(people.map((who) => who.id));
    // Nor do their sockets take the places of sockets still signing in.
    const waiting = [];
    for (let i = 0; i < 4; i++) waiting.push(sockets.track(await connectWs(url)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waiting.flatMap((client) => client.frames)).toEqual([]);
  });

  it('caps the subscriptions of one socket', async () => {
    const category = await addCategory(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await openTicket(t, person, category)).id);
    const client = await open();
    for (const id of ids) client.send({ type: 'subscribe', ticket_id: id });
    await client.next('subscribed', (frame) => frame.ticket_id === ids[0]);
    await client.next('subscribed', (frame) => frame.ticket_id === ids[1]);
    expect(await client.next('error')).toMatchObject({ code: 'too_many_subscriptions' });
    client.send({ type: 'unsubscribe', ticket_id: ids[0] });
    client.send({ type: 'subscribe', ticket_id: ids[2] });
    await client.next('subscribed', (frame) => frame.ticket_id === ids[2]);
  });

  it('closes a socket that sends a message over the size limit (1009)', async () => {
    const client = await open();
    await client.next('authenticated');
    client.send({ type: 'auth', token: 'x'.repeat(300) });
    expect((await client.closed).code).toBe(1009);
  });

  it('answers messages beyond the rate with rate_limited, and closes a flood (4429)', async () => {
    const client = await open();
    await client.next('authenticated');
    for (let i = 0; i < 7; i++) client.send({ type: 'ping' });
    expect(await client.next('error')).toMatchObject({ code: 'rate_limited' });
    await client.next('pong');
    expect(client.frames.filter((frame) => frame.type === 'pong').length).toBeLessThanOrEqual(5);
    for (let i = 0; i < 10; i++) client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(4429);
  });

  it('closes every socket with 1001 when the server shuts down', async () => {
    const other = await createTestApp();
    const otherUrl = await listenWs(other.app);
    const client = await connectWs(otherUrl, {
      token: (await signInAs(other, 'user')).token,
      awaitAuth: true,
    });
    await other.close();
    expect(await client.closed).toMatchObject({ code: 1001, reason: 'server shutting down' });
  });

  it('drops a client that stops reading instead of buffering for it', async () => {
    const client = await open();
    await client.next('authenticated');
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    const transport = (client.socket as unknown as { _socket: { pause(): void } })._socket;
    transport.pause();
    const big = 'x'.repeat(64 * 1024);
    const notification = {
      id: '01a20d14-0000-7000-8000-000000000002',
      user_id: person.id,
      ticket_id: null,
      type: 'system' as const,
      title: 'Big',
      content: big,
      is_read: false,
      created_at: new Date().toISOString(),
    };
    for (let i = 0; i < 400; i++) {
      await t.container.events.publish([
        {
          type: 'notification.created',
          ticket_id: null,
          ticket_user_id: null,
          user_id: person.id,
          actor_id: null,
          is_internal: false,
          occurred_at: new Date().toISOString(),
          data: notification,
        },
      ]);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^ws_connections_open 0$/m);
    // Paused, the client would wait out its close handshake.
    client.socket.terminate();
  });
});

describe('client faults on a WebSocket', () => {
  it('are logged once, at info level and without a stack, not as server errors', async () => {
    const lines: string[] = [];
    const logStream = {
      write(line: string) {
        lines.push(line);
      },
    };
    const t = await createTestApp({
      env: { WS_MAX_MESSAGE_BYTES: '256', LOG_LEVEL: 'debug' },
      logStream,
    });
    try {
      const url = await listenWs(t.app);
      const client = await connectWs(url);
      client.send('x'.repeat(10_000));
      expect((await client.closed).code).toBe(1009);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const mentions = entries.filter((entry) => JSON.stringify(entry).includes('Max payload'));
      expect(mentions).toHaveLength(1);
      expect(mentions[0]?.level).toBe(30);
      expect(JSON.stringify(mentions[0])).not.toContain('stack');
      expect(entries.filter((entry) => Number(entry.level) >= 50)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
