import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { bearer, signIn, type TestApp } from '../../test/app.js';
import { callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { alicesTicket, startRealtimeApp, type SocketPool } from '../../test/realtime-fixture.js';
import { connectWs, type WsClient } from '../../test/ws-client.js';

/** Sessions ending, failures and odd input on open sockets (the review's reproductions). */
describe('WebSocket sessions and hardening', () => {
  let t: TestApp;
  let url: string;
  let category: string;
  let author: Person;
  let ticketId: string;
  let sockets: SocketPool;
  let nextTelegramId = 7_100_000;

  function socketWith(token: string): Promise<WsClient> {
    return sockets.connect({ token, awaitAuth: true });
  }

  /** Signs a fresh user in twice (two sessions, as on two devices). */
  async function twoSessions() {
    nextTelegramId += 1;
    const user = { id: nextTelegramId, first_name: 'Lena' };
    return [await signIn(t, user), await signIn(t, user)] as const;
  }

  beforeAll(async () => {
    ({ t, url, sockets } = await startRealtimeApp({
      WS_MAX_CONNECTIONS_PER_USER: '100',
      WS_MAX_CONNECTIONS_PER_IP: '1000',
    }));
    ({ category, author, ticketId } = await alicesTicket(t));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await sockets.closeAll();
  });
  afterAll(() => t.close());

  it('closes the sockets of a session at once when it logs out, and only those', async () => {
    const [phone, laptop] = await twoSessions();
    const onPhone = await socketWith(phone.access_token);
    const onLaptop = await socketWith(laptop.access_token);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(phone.access_token),
    });
    expect(logout.statusCode).toBe(204);
    expect(await onPhone.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await onPhone.closed).code).toBe(4401);
    onLaptop.send({ type: 'ping' });
    await onLaptop.next('pong');
  });

  it('closes the session’s sockets when a spent refresh token is replayed', async () => {
    const [pair] = await twoSessions();
    const client = await socketWith(pair.access_token);
    const refresh = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: token },
      });
    expect((await refresh(pair.refresh_token)).statusCode).toBe(200);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(401);
    expect(await client.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await client.closed).code).toBe(4401);
  });

  it('answers internal_error when a lookup fails, and keeps the socket', async () => {
    const client = await socketWith(author.token);
    vi.spyOn(t.container.tickets, 'get').mockRejectedValueOnce(new Error('database down'));
    client.send({ type: 'subscribe', ticket_id: ticketId });
    expect(await client.next('error')).toMatchObject({ code: 'internal_error' });
    client.send({ type: 'subscribe', ticket_id: ticketId });
    await client.next('subscribed');
  });

  it('answers the same not_found for a deleted, a hidden and a made-up ticket', async () => {
    const other = await signInAs(t, 'user');
    const hidden = (await openTicket(t, other, category)).id;
    const doomed = (await openTicket(t, author, category)).id;
    const admin = await signInAs(t, 'admin');
    expect((await callAs(t, admin, 'DELETE', `/tickets/${doomed}`)).statusCode).toBeLessThan(300);
    const client = await socketWith(author.token);
    const answers = [];
    for (const id of [doomed, hidden, '0190a000-0000-7000-8000-000000000000']) {
      client.send({ type: 'subscribe', ticket_id: id });
      answers.push(await client.next('error'));
    }
    expect(new Set(answers.map((frame) => JSON.stringify(frame))).size).toBe(1);
    expect(answers[0]).toMatchObject({ code: 'not_found' });
  });

  it('counts no open socket once many close at the same moment', async () => {
    const openSockets = async () =>
      Number(
        /^ws_connections_open (\d+)/m.exec(
          (await t.app.inject({ method: 'GET', url: '/metrics' })).body,
        )?.[1],
      );
    await sockets.closeAll();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const crowd = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const client = await connectWs(url, { token: author.token, awaitAuth: true });
        client.send({ type: 'subscribe', ticket_id: ticketId });
        await client.next('subscribed');
        return client;
      }),
    );
    expect(await openSockets()).toBeGreaterThanOrEqual(30);
    for (const [index, client] of crowd.entries()) {
      if (index % 2 === 0) client.socket.terminate();
      else client.close();
    }
    await Promise.all(crowd.map((client) => client.closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await openSockets()).toBe(0);
  });

  it('answers bad_message to JSON that is not a message, and to binary frames', async () => {
    const client = await socketWith(author.token);
    for (const bad of ['null', '42', '"subscribe"', '{"type":"subscribe","ticket_id":[]}']) {
      client.send(bad);
      expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
    }
    client.socket.send(Buffer.from([0xff, 0x00, 0x7b]), { binary: true });
    expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
    client.send({ type: 'ping' });
    await client.next('pong');
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });
});
