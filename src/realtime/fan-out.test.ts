import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { UserRole } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import { Connection } from './connection.js';
import { routeEvent, routeTyping } from './fan-out.js';
import { ConnectionHub } from './hub.js';
import { createGatewayMetrics } from './metrics.js';
import { decodeClientMessage, textOf } from './protocol.js';

/** A socket that records what it is sent (the hub and routing only send and read state). */
function fakeSocket() {
  const sent: string[] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (json: string) => sent.push(json),
    terminate: () => undefined,
    close: () => undefined,
  };
  return { socket: socket as unknown as WebSocket, sent };
}

function connect(hub: ConnectionHub, userId: string, role: UserRole = 'user') {
  const { socket, sent } = fakeSocket();
  const connection = new Connection(
    socket,
    '127.0.0.1',
    { messagesPerSecond: 10, maxBufferedBytes: 1024 },
    () => undefined,
  );
  hub.add(connection);
  hub.signIn(connection, { userId, role, sessionId: 's', firstName: userId }, 100);
  return { connection, sent };
}

/** An event with only the fields routing reads (ids, type, visibility) and an empty payload. */
function event(fields: Partial<DomainEvent> & Pick<DomainEvent, 'type'>): DomainEvent {
  return {
    ticket_id: null,
    ticket_user_id: null,
    actor_id: null,
    is_internal: false,
    occurred_at: '2026-11-24T10:00:00.000Z',
    data: {},
    ...fields,
  } as DomainEvent;
}

describe('routing events to sockets', () => {
  it('sends a ticket’s events to its subscribers only, and a user only their own ticket’s', () => {
    const hub = new ConnectionHub();
    const author = connect(hub, 'alice');
    const other = connect(hub, 'bob');
    const agent = connect(hub, 'artem', 'agent');
    hub.subscribe(author.connection, 't1');
    // As if bob had subscribed while still staff: the delivery check still keeps him out.
    hub.subscribe(other.connection, 't1');
    hub.subscribe(agent.connection, 't1');
    const sent = routeEvent(
      hub,
      event({ type: 'message.created', ticket_id: 't1', ticket_user_id: 'alice' }),
    );
    expect(sent).toBe(2);
    expect(author.sent).toHaveLength(1);
    expect(other.sent).toHaveLength(0);
    expect(JSON.parse(agent.sent[0] ?? '')).toEqual({
      type: 'message.created',
      ticket_id: 't1',
      data: {},
    });
  });

  it('sends nothing for events that name no ticket or recipient', () => {
    const hub = new ConnectionHub();
    const agent = connect(hub, 'artem', 'agent');
    expect(routeEvent(hub, event({ type: 'ticket.updated' }))).toBe(0);
    expect(routeEvent(hub, event({ type: 'notification.created' }))).toBe(0);
    expect(routeEvent(hub, event({ type: 'user.access_changed', user_id: 'artem' }))).toBe(0);
    expect(agent.sent).toHaveLength(0);
  });

  it('sends every ticket’s public messages and changes to all staff sockets, once, for their queues', () => {
    const hub = new ConnectionHub();
    const author = connect(hub, 'alice');
    const other = connect(hub, 'bob');
    const watching = connect(hub, 'artem', 'agent');
    const queue = connect(hub, 'mira', 'moderator');
    hub.subscribe(watching.connection, 't6');
    // As if bob had subscribed while still staff: he still gets nothing of Alice's ticket.
    hub.subscribe(other.connection, 't6');
    const about = { ticket_id: 't6', ticket_user_id: 'alice' };
    expect(routeEvent(hub, event({ type: 'message.created', ...about }))).toBe(2);
    expect(routeEvent(hub, event({ type: 'ticket.assigned', ...about }))).toBe(2);
    expect(routeEvent(hub, event({ type: 'ticket.status_changed', ...about }))).toBe(2);
    expect(queue.sent.map((frame) => (JSON.parse(frame) as { type: string }).type)).toEqual([
      'message.created',
      'ticket.assigned',
      'ticket.status_changed',
    ]);
    expect(watching.sent).toHaveLength(3);
    expect(other.sent).toHaveLength(0);
    // The author follows their own ticket only when subscribed (the ticket page).
    expect(author.sent).toHaveLength(0);
    // Internal notes, edits and deletions of messages stay with the ticket's subscribers.
    routeEvent(hub, event({ type: 'message.created', ...about, is_internal: true }));
    routeEvent(hub, event({ type: 'message.updated', ...about }));
    routeEvent(hub, event({ type: 'message.deleted', ...about }));
    expect(queue.sent).toHaveLength(3);
    expect(watching.sent).toHaveLength(6);
  });

  it('sends a new ticket without a known author to staff only', () => {
    const hub = new ConnectionHub();
    const user = connect(hub, 'alice');
    const agent = connect(hub, 'artem', 'agent');
    expect(routeEvent(hub, event({ type: 'ticket.created', ticket_id: 't2' }))).toBe(1);
    expect(agent.sent).toHaveLength(1);
    expect(user.sent).toHaveLength(0);
  });

  it('forgets a deleted ticket’s subscribers and a closed socket’s subscriptions', () => {
    const hub = new ConnectionHub();
    const agent = connect(hub, 'artem', 'agent');
    hub.subscribe(agent.connection, 't3');
    routeEvent(hub, event({ type: 'ticket.deleted', ticket_id: 't3' }));
    expect(hub.subscribersOf('t3').size).toBe(0);
    expect(hub.unsubscribe(agent.connection, 't3')).toBe(false);
    hub.subscribe(agent.connection, 't4');
    hub.remove(agent.connection);
    hub.remove(agent.connection);
    expect(hub.subscribersOf('t4').size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('relays typing to the other subscribers, internal typing to staff only', () => {
    const hub = new ConnectionHub();
    const author = connect(hub, 'alice');
    const agent = connect(hub, 'artem', 'agent');
    const colleague = connect(hub, 'mira', 'moderator');
    for (const { connection } of [author, agent, colleague]) hub.subscribe(connection, 't5');
    const signal = {
      ticket_id: 't5',
      user_id: 'artem',
      first_name: 'Artem',
      is_staff: true,
      internal: true,
    };
    expect(routeTyping(hub, signal)).toBe(1);
    expect(routeTyping(hub, { ...signal, internal: false })).toBe(2);
    expect(agent.sent).toHaveLength(0);
  });

  it('refuses to file a socket beyond the per-user limit, or one that is gone', () => {
    const hub = new ConnectionHub();
    const user = { userId: 'alice', role: 'user' as const, sessionId: 's' };
    const sockets = Array.from({ length: 3 }, () => {
      const connection = new Connection(
        fakeSocket().socket,
        '10.0.0.1',
        { messagesPerSecond: 1, maxBufferedBytes: 1 },
        () => undefined,
      );
      hub.add(connection);
      return connection;
    });
    const [first, second, third] = sockets as [Connection, Connection, Connection];
    expect(hub.signIn(first, { ...user }, 2)).toBe(true);
    expect(hub.signIn(second, { ...user }, 2)).toBe(true);
    expect(hub.signIn(third, { ...user }, 2)).toBe(false);
    expect(third.user).toBeUndefined();
    expect(hub.connectionsOf('alice').size).toBe(2);
    hub.remove(first);
    expect(hub.signIn(first, { ...user }, 2)).toBe(false);
    // The two signed in; the third never did, and so it alone counts against the address.
    expect(hub.anonymousCountForIp('10.0.0.1')).toBe(1);
  });

  it('forgets every socket once all have closed, whatever they followed', () => {
    const hub = new ConnectionHub();
    const connections = Array.from({ length: 200 }, (_, index) =>
      connect(hub, `user-${index % 7}`, index % 3 === 0 ? 'agent' : 'user'),
    );
    for (const [index, { connection }] of connections.entries()) {
      hub.subscribe(connection, `t${index % 11}`);
      hub.subscribe(connection, `t${index % 5}`);
    }
    hub.dropTicket('t1');
    for (const { connection } of connections) hub.remove(connection);
    expect(hub.indexSizes()).toEqual({ all: 0, byIp: 0, byUser: 0, byTicket: 0, staff: 0 });
  });
});

describe('gateway metrics', () => {
  it('reuses its metrics when registered twice on one registry', async () => {
    const registry = new Registry();
    const hub = new ConnectionHub();
    const first = createGatewayMetrics(registry, hub);
    const second = createGatewayMetrics(registry, hub);
    expect(second.framesSent).toBe(first.framesSent);
    connect(hub, 'alice');
    expect(await registry.getSingleMetricAsString('ws_connections_open')).toMatch(/ 1$/m);
  });
});

describe('the protocol', () => {
  it('reads text from a buffer, its fragments or an ArrayBuffer', () => {
    expect(textOf(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(textOf([Buffer.from('{"a"'), Buffer.from(':1}')])).toBe('{"a":1}');
    expect(textOf(new TextEncoder().encode('hi').buffer)).toBe('hi');
  });

  it('explains what is wrong with a message', () => {
    expect(decodeClientMessage('{')).toEqual({ ok: false, error: 'Messages are JSON objects' });
    const missing = decodeClientMessage('{"type":"subscribe"}');
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toMatch(/^ticket_id: /);
    expect(decodeClientMessage('{"type":"ping"}')).toEqual({ ok: true, message: { type: 'ping' } });
  });
});
