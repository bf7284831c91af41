import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.js';
import { callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { alicesTicket, startRealtimeApp, type SocketPool } from '../../test/realtime-fixture.js';
import { connectWs, type WsClient } from '../../test/ws-client.js';
import { users } from '../db/schema.js';
import type { NotificationDto } from '../notifications/schemas.js';

describe('WebSocket /api/v1/ws', () => {
  let t: TestApp;
  let url: string;
  let category: string;
  let author: Person;
  let agent: Person;
  let stranger: Person;
  let ticketId: string;
  let sockets: SocketPool;

  /** A signed-in socket of `person`, closed after the test. */
  function socketOf(person: Person): Promise<WsClient> {
    return sockets.connect({ token: person.token, awaitAuth: true });
  }

  async function subscribed(person: Person, ticket = ticketId): Promise<WsClient> {
    const client = await socketOf(person);
    client.send({ type: 'subscribe', ticket_id: ticket });
    await client.next('subscribed', (frame) => frame.ticket_id === ticket);
    return client;
  }

  beforeAll(async () => {
    ({ t, url, sockets } = await startRealtimeApp({
      WS_AUTH_TIMEOUT_MS: '300',
      WS_HEARTBEAT_MS: '200',
      WS_TYPING_THROTTLE_MS: '400',
      WS_STATS_DEBOUNCE_MS: '50',
    }));
    ({ category, author, ticketId } = await alicesTicket(t));
    agent = await signInAs(t, 'agent', { first_name: 'Artem' });
    stranger = await signInAs(t, 'user', { first_name: 'Sam' });
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  describe('authentication', () => {
    it('accepts a token in the query string or in a first auth message', async () => {
      const byQuery = await socketOf(author);
      expect(byQuery.frames[0]).toEqual({
        type: 'authenticated',
        data: { user_id: author.id, role: 'user' },
      });
      const byMessage = await sockets.connect();
      byMessage.send({ type: 'auth', token: agent.token });
      expect((await byMessage.next('authenticated')).data).toEqual({
        user_id: agent.id,
        role: 'agent',
      });
    });

    it('refuses a bad token in the query with an error, then closes with 4401', async () => {
      const client = await connectWs(url, { token: 'not-a-token' });
      expect(await client.next('error')).toMatchObject({ code: 'unauthorized' });
      expect((await client.closed).code).toBe(4401);
    });

    it('refuses a bad token in the first message the same way', async () => {
      const client = await connectWs(url);
      client.send({ type: 'auth', token: `${agent.token}x` });
      expect(await client.next('error')).toMatchObject({ code: 'unauthorized' });
      expect((await client.closed).code).toBe(4401);
    });

    it('closes a socket that sends anything but auth first', async () => {
      const client = await connectWs(url);
      client.send({ type: 'subscribe', ticket_id: ticketId });
      expect(await client.next('error')).toMatchObject({ code: 'unauthorized' });
      expect((await client.closed).code).toBe(4401);
    });

    it('closes a socket that does not authenticate in time (4408)', async () => {
      const client = await connectWs(url);
      expect(await client.next('error')).toMatchObject({ code: 'auth_timeout' });
      expect((await client.closed).code).toBe(4408);
    });

    it('refuses a blocked user (4403)', async () => {
      const blocked = await signInAs(t, 'user');
      await t.container.users.setActive(blocked.id, false);
      const client = await connectWs(url, { token: blocked.token });
      expect(await client.next('error')).toMatchObject({ code: 'user_blocked' });
      expect((await client.closed).code).toBe(4403);
    });

    it('answers a second auth with bad_message and stays open', async () => {
      const client = await socketOf(author);
      client.send({ type: 'auth', token: author.token });
      expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
      client.send({ type: 'ping' });
      await client.next('pong');
    });
  });

  describe('a ticket conversation', () => {
    it('shows both sides a new message and each the other’s typing, never their own', async () => {
      const alice = await subscribed(author);
      const artem = await subscribed(agent);
      const posted = await callAs(t, agent, 'POST', `/tickets/${ticketId}/messages`, {
        content: 'We are on it',
      });
      expect(posted.statusCode).toBe(201);
      const forAlice = await alice.next('message.created');
      expect(forAlice).toMatchObject({
        ticket_id: ticketId,
        data: { id: posted.json<{ id: string }>().id, content: 'We are on it' },
      });
      await artem.next('message.created');

      alice.send({ type: 'typing', ticket_id: ticketId });
      expect(await artem.next('typing')).toEqual({
        type: 'typing',
        ticket_id: ticketId,
        data: { user_id: author.id, first_name: 'Alice', is_staff: false },
      });
      artem.send({ type: 'typing', ticket_id: ticketId });
      expect((await alice.next('typing')).data).toMatchObject({
        user_id: agent.id,
        first_name: 'Artem',
        is_staff: true,
      });
      await Promise.all([alice.expectNothing(150, 'typing'), artem.expectNothing(0, 'typing')]);
      expect(alice.frames.filter((frame) => frame.type === 'typing')).toHaveLength(1);
    });

    it('relays at most one typing per user and ticket within the throttle', async () => {
      const own = await openTicket(t, author, category);
      const alice = await subscribed(author, own.id);
      const artem = await subscribed(agent, own.id);
      for (let i = 0; i < 3; i++) alice.send({ type: 'typing', ticket_id: own.id });
      await artem.next('typing');
      await artem.expectNothing(200, 'typing');
      await new Promise((resolve) => setTimeout(resolve, 250));
      alice.send({ type: 'typing', ticket_id: own.id });
      await artem.next('typing');
      expect(artem.frames.filter((frame) => frame.type === 'typing')).toHaveLength(2);
    });

    it('relays no typing from a socket not subscribed to the ticket', async () => {
      const artem = await subscribed(agent);
      const other = await socketOf(agent);
      other.send({ type: 'typing', ticket_id: ticketId });
      expect(await other.next('error')).toMatchObject({ code: 'not_subscribed' });
      await artem.expectNothing(100, 'typing');
    });

    it('refuses a stranger’s subscribe and sends them nothing of that ticket', async () => {
      const sam = await socketOf(stranger);
      sam.send({ type: 'subscribe', ticket_id: ticketId });
      expect(await sam.next('error')).toMatchObject({ code: 'not_found' });
      const artem = await subscribed(agent);
      await callAs(t, author, 'POST', `/tickets/${ticketId}/messages`, { content: 'Any news?' });
      await artem.next('message.created');
      await sam.expectNothing(100);
      expect(sam.frames.map((frame) => frame.type)).toEqual(['authenticated', 'error']);
    });

    it('brings an internal note to staff only, and internal typing too', async () => {
      const alice = await subscribed(author);
      const artem = await subscribed(agent);
      const moderator = await signInAs(t, 'moderator', { first_name: 'Mira' });
      const mira = await subscribed(moderator);
      const note = await callAs(t, agent, 'POST', `/tickets/${ticketId}/messages`, {
        content: 'Customer seems confused',
        is_internal: true,
      });
      expect(note.statusCode).toBe(201);
      expect((await mira.next('message.created')).data).toMatchObject({ is_internal: true });
      await artem.next('message.created');
      artem.send({ type: 'typing', ticket_id: ticketId, internal: true });
      expect((await mira.next('typing')).data).toMatchObject({ user_id: agent.id, internal: true });
      await Promise.all([
        alice.expectNothing(150, 'message.created'),
        alice.expectNothing(150, 'typing'),
      ]);
    });

    it('treats a user’s internal flag on typing as ordinary typing', async () => {
      const alice = await subscribed(author);
      const artem = await subscribed(agent);
      alice.send({ type: 'typing', ticket_id: ticketId, internal: true });
      expect((await artem.next('typing')).data).not.toHaveProperty('internal');
    });

    it('stops the events of a ticket after unsubscribe', async () => {
      const alice = await subscribed(author);
      alice.send({ type: 'unsubscribe', ticket_id: ticketId });
      expect(await alice.next('unsubscribed')).toMatchObject({ ticket_id: ticketId });
      await callAs(t, agent, 'POST', `/tickets/${ticketId}/messages`, { content: 'Hello?' });
      await alice.expectNothing(150, 'message.created');
    });

    it('sends a status change to subscribers and stats.updated to staff only', async () => {
      const own = await openTicket(t, author, category);
      const alice = await subscribed(author, own.id);
      const artem = await subscribed(agent, own.id);
      const changed = await callAs(t, agent, 'PUT', `/tickets/${own.id}/status`, {
        status: 'in_progress',
      });
      expect(changed.statusCode).toBe(200);
      expect((await alice.next('ticket.status_changed')).data).toMatchObject({
        status: 'in_progress',
      });
      const stats = await artem.next('stats.updated');
      expect(stats.data).toMatchObject({
        in_progress: expect.any(Number),
        total: expect.any(Number),
      });
      await alice.expectNothing(100, 'stats.updated');
    });

    it('tells subscribers a ticket was deleted and forgets its subscriptions', async () => {
      const own = await openTicket(t, author, category);
      const alice = await subscribed(author, own.id);
      const admin = await signInAs(t, 'admin');
      expect((await callAs(t, admin, 'DELETE', `/tickets/${own.id}`)).statusCode).toBe(204);
      expect(await alice.next('ticket.deleted')).toMatchObject({ ticket_id: own.id });
    });
  });

  describe('staff and personal events', () => {
    it('brings ticket.created to staff sockets and its author, not to other users', async () => {
      const artem = await socketOf(agent);
      const alice = await socketOf(author);
      const sam = await socketOf(stranger);
      const created = await openTicket(t, author, category, { title: 'A new one' });
      expect(await artem.next('ticket.created')).toMatchObject({
        ticket_id: created.id,
        data: { title: 'A new one' },
      });
      await alice.next('ticket.created');
      await sam.expectNothing(150);
    });

    it('brings a message on any ticket, and its assignment, to staff sockets not following it (the queues), never to other users', async () => {
      const own = await openTicket(t, author, category, { title: 'Nobody took it' });
      const artem = await socketOf(agent);
      const sam = await socketOf(stranger);
      const posted = await callAs(t, author, 'POST', `/tickets/${own.id}/messages`, {
        content: 'It is urgent, the site is down',
      });
      expect(posted.statusCode).toBe(201);
      expect(await artem.next('message.created')).toMatchObject({
        ticket_id: own.id,
        data: { content: 'It is urgent, the site is down' },
      });
      const moderator = await signInAs(t, 'moderator');
      const taken = await callAs(t, moderator, 'PUT', `/tickets/${own.id}/assign`, {
        assigned_to: agent.id,
      });
      expect(taken.statusCode).toBe(200);
      expect(await artem.next('ticket.assigned')).toMatchObject({
        ticket_id: own.id,
        data: { assigned_to: agent.id },
      });
      await sam.expectNothing(150);
      expect(sam.frames.map((frame) => frame.type)).toEqual(['authenticated']);
    });

    it('brings a notification to its recipient’s sockets only', async () => {
      const alice = await socketOf(author);
      const aliceTablet = await socketOf(author);
      const sam = await socketOf(stranger);
      const notification: NotificationDto = {
        id: '01a20d14-0000-7000-8000-000000000001',
        user_id: author.id,
        ticket_id: ticketId,
        type: 'new_message',
        title: 'New message',
        content: 'Hello',
        is_read: false,
        created_at: new Date().toISOString(),
      };
      await t.container.events.publish([
        {
          type: 'notification.created',
          ticket_id: ticketId,
          ticket_user_id: null,
          user_id: author.id,
          actor_id: null,
          is_internal: false,
          occurred_at: new Date().toISOString(),
          data: notification,
        },
      ]);
      expect((await alice.next('notification.created')).data).toEqual(notification);
      await aliceTablet.next('notification.created');
      await sam.expectNothing(100);
    });
  });

  describe('access changes', () => {
    it('closes a blocked user’s sockets at once', async () => {
      const person = await signInAs(t, 'user');
      const moderator = await signInAs(t, 'moderator');
      const client = await socketOf(person);
      const blocked = await callAs(t, moderator, 'PUT', `/users/${person.id}/status`, {
        is_active: false,
      });
      expect(blocked.statusCode).toBe(200);
      expect(await client.next('error')).toMatchObject({ code: 'user_blocked' });
      expect((await client.closed).code).toBe(4403);
    });

    it('takes staff events and others’ tickets away from a downgraded agent', async () => {
      const demoted = await signInAs(t, 'agent', { first_name: 'Dima' });
      const admin = await signInAs(t, 'admin');
      const dima = await subscribed(demoted);
      const changed = await callAs(t, admin, 'PUT', `/users/${demoted.id}/role`, { role: 'user' });
      expect(changed.statusCode).toBe(200);
      expect(await dima.next('unsubscribed')).toMatchObject({
        ticket_id: ticketId,
        reason: 'access_changed',
      });
      await openTicket(t, author, category);
      await callAs(t, author, 'POST', `/tickets/${ticketId}/messages`, { content: 'Still there?' });
      await Promise.all([
        dima.expectNothing(200, 'ticket.created'),
        dima.expectNothing(200, 'message.created'),
      ]);
      dima.send({ type: 'subscribe', ticket_id: ticketId });
      expect(await dima.next('error')).toMatchObject({ code: 'not_found' });
    });

    it('reads the access afresh when the event does not carry it', async () => {
      const person = await signInAs(t, 'user');
      const client = await socketOf(person);
      await t.container.database.db
        .update(users)
        .set({ isActive: false })
        .where(eq(users.id, person.id));
      await t.container.cache.delete(`user-access:${person.id}`);
      await t.container.events.publish([
        {
          type: 'user.access_changed',
          ticket_id: null,
          ticket_user_id: null,
          user_id: person.id,
          actor_id: null,
          is_internal: false,
          occurred_at: new Date().toISOString(),
          // Another session's revocation: it names no new access, so the socket reads it.
          data: { id: person.id, revoked_session_id: '01a20d14-0000-7000-8000-000000000000' },
        },
      ]);
      expect((await client.closed).code).toBe(4403);
    });

    it('lets a promoted user see staff events at once', async () => {
      const promoted = await signInAs(t, 'user');
      const admin = await signInAs(t, 'admin');
      const client = await socketOf(promoted);
      await callAs(t, admin, 'PUT', `/users/${promoted.id}/role`, { role: 'agent' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const created = await openTicket(t, author, category);
      expect(await client.next('ticket.created')).toMatchObject({ ticket_id: created.id });
    });
  });

  describe('the protocol', () => {
    it('answers ping with pong', async () => {
      const client = await socketOf(author);
      client.send({ type: 'ping' });
      expect(await client.next('pong')).toEqual({ type: 'pong' });
    });

    it('answers malformed messages with bad_message and keeps the socket', async () => {
      const client = await socketOf(author);
      for (const bad of [
        'not json',
        '[]',
        '{"type":"dance"}',
        '{"type":"subscribe","ticket_id":1}',
      ]) {
        client.send(bad);
        expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
      }
      client.send({ type: 'ping' });
      await client.next('pong');
    });

    it('drops a peer that does not answer heartbeat pings', async () => {
      const client = await sockets.connect({ token: author.token, autoPong: false });
      await client.next('authenticated');
      const closed = await client.closed;
      expect(closed.code).toBe(1006);
    });

    it('counts open sockets and sent frames in /metrics', async () => {
      await socketOf(author);
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^ws_connections_open [1-9]/m);
      expect(metrics.body).toMatch(/^ws_frames_sent_total [1-9]/m);
    });
  });
});
