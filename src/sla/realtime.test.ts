import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { UserRole } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import { Connection } from '../realtime/connection.js';
import { routeEvent } from '../realtime/fan-out.js';
import { ConnectionHub } from '../realtime/hub.js';

function connect(hub: ConnectionHub, userId: string, role: UserRole = 'user') {
  const sent: string[] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (json: string) => sent.push(json),
    terminate: () => undefined,
    close: () => undefined,
  } as unknown as WebSocket;
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

const sla = { state: 'warning', next_due_at: '2026-03-02T10:10:00.000Z' };

function ticketEvent(changes: Record<string, { from: unknown; to: unknown }>): DomainEvent {
  return {
    type: 'ticket.updated',
    ticket_id: 't1',
    ticket_user_id: 'alice',
    actor_id: null,
    is_internal: false,
    occurred_at: '2026-03-02T10:08:00.000Z',
    data: { id: 't1', title: 'Printer', sla },
    changes,
  } as unknown as DomainEvent;
}

describe('service levels over the WebSocket', () => {
  it('sends staff the SLA and the customer the ticket without it', () => {
    const hub = new ConnectionHub();
    const author = connect(hub, 'alice');
    const agent = connect(hub, 'artem', 'agent');
    hub.subscribe(author.connection, 't1');
    hub.subscribe(agent.connection, 't1');
    routeEvent(
      hub,
      ticketEvent({ title: { from: 'Print', to: 'Printer' }, sla: { from: null, to: sla } }),
    );
    const toAgent = JSON.parse(agent.sent.at(-1) ?? '{}');
    const toAuthor = JSON.parse(author.sent.at(-1) ?? '{}');
    expect(toAgent.data.sla).toEqual(sla);
    expect(toAuthor.data.sla).toBeNull();
    expect(toAuthor.data.title).toBe('Printer');
    expect(JSON.stringify(toAuthor)).not.toContain('warning');
  });

  it('tells the customer nothing of a change of the SLA alone (the SLA job)', () => {
    const hub = new ConnectionHub();
    const author = connect(hub, 'alice');
    const agent = connect(hub, 'artem', 'agent');
    hub.subscribe(author.connection, 't1');
    hub.subscribe(agent.connection, 't1');
    const before = author.sent.length;
    routeEvent(hub, ticketEvent({ sla: { from: { state: 'ok' }, to: sla } }));
    expect(author.sent).toHaveLength(before);
    expect(JSON.parse(agent.sent.at(-1) ?? '{}').data.sla).toEqual(sla);
  });
});
