import type { DomainEvent } from '../events/domain-events.js';
import type { Connection } from './connection.js';
import type { ConnectionHub } from './hub.js';

/** The pub/sub channel typing travels on, so it reaches sockets held by other processes. */
export const typingChannel = 'realtime-typing';

/** Someone is typing in a ticket, as published between processes. */
export interface TypingSignal {
  ticket_id: string;
  user_id: string;
  first_name: string;
  is_staff: boolean;
  /** Typing an internal note: staff only. */
  internal: boolean;
}

/** Sends one frame to each connection that `admit` lets through; how many got it. */
function deliver(
  connections: Iterable<Connection>,
  json: string,
  admit: (connection: Connection) => boolean = () => true,
): number {
  let sent = 0;
  for (const connection of connections) {
    if (!admit(connection)) continue;
    connection.send(json);
    sent += 1;
  }
  return sent;
}

/**
 * The client frame of a domain event (docs/api.md#websocket-apiv1ws): its type, its ticket and
 * its data.
 */
function eventFrame(event: DomainEvent): string {
  return JSON.stringify({ type: event.type, ticket_id: event.ticket_id, data: event.data });
}

/**
 * The frame of a ticket event for a customer: without the ticket's service levels, which are
 * staff business (`sla/schemas.ts`); null for a change of nothing but those.
 */
function customerFrame(event: DomainEvent): string | null {
  if (!event.type.startsWith('ticket.') || !('data' in event)) return eventFrame(event);
  const data = event.data as { sla?: unknown };
  if (!data || typeof data !== 'object' || !('sla' in data)) return eventFrame(event);
  if ('changes' in event) {
    const changes = Object.fromEntries(
      Object.entries(event.changes).filter(([field]) => field !== 'sla'),
    );
    if (Object.keys(changes).length === 0 && Object.keys(event.changes).length > 0) return null;
    return eventFrame({ ...event, data: { ...data, sla: null }, changes } as DomainEvent);
  }
  return eventFrame({ ...event, data: { ...data, sla: null } } as DomainEvent);
}

/** Sends a ticket event: its whole frame to staff, the customer's (`customerFrame`) to others. */
function deliverTicketEvent(audience: Iterable<Connection>, event: DomainEvent): number {
  const connections = [...audience];
  const admitted = (connection: Connection) => mayReceive(connection, event);
  const sent = deliver(
    connections.filter((connection) => connection.isStaff),
    eventFrame(event),
    admitted,
  );
  const forCustomers = customerFrame(event);
  if (forCustomers === null) return sent;
  return (
    sent +
    deliver(
      connections.filter((connection) => !connection.isStaff),
      forCustomers,
      admitted,
    )
  );
}

/**
 * Whether a socket may receive an event about a ticket it follows: staff see everything; anyone
 * else only their own ticket's public events (a second check behind the subscribe-time one, so
 * a demotion can never leak a staff-only event while its re-check is still running).
 */
function mayReceive(connection: Connection, event: DomainEvent): boolean {
  if (connection.isStaff) return true;
  const author = event.ticket_user_id ?? undefined;
  return !event.is_internal && author !== undefined && connection.user?.userId === author;
}

/**
 * Events that move a ticket within or between the staff queues (its last activity, assignee or
 * status): every staff socket gets them, subscribed or not, so the queue views stay live.
 */
function movesQueues(event: DomainEvent): boolean {
  if (event.type === 'message.created') return !event.is_internal;
  return event.type.startsWith('ticket.');
}

/**
 * Delivers a domain event to the sockets of this process it concerns: ticket and message
 * events to that ticket's subscribers (internal ones to staff only), and those that move a
 * ticket in the queues (`movesQueues`) to every staff socket as well; a new ticket to every
 * staff socket and its author's, a notification (new or changed) to its recipient's sockets.
 * A socket gets an event once however it qualifies. Returns how many sockets got it.
 * `user.access_changed` is not for clients; the gateway acts on it.
 */
export function routeEvent(hub: ConnectionHub, event: DomainEvent): number {
  // What arrives is JSON from any process: an event missing the ids it routes by reaches nobody.
  if (event.type === 'user.access_changed') return 0;
  if (event.type === 'notification.created' || event.type === 'notification.updated') {
    return event.user_id ? deliver(hub.connectionsOf(event.user_id), eventFrame(event)) : 0;
  }
  if (event.type === 'ticket.created') {
    const audience = new Set(hub.staff);
    if (event.ticket_user_id) {
      for (const connection of hub.connectionsOf(event.ticket_user_id)) audience.add(connection);
    }
    return deliverTicketEvent(audience, event);
  }
  if (!event.ticket_id) return 0;
  const audience = new Set(hub.subscribersOf(event.ticket_id));
  if (movesQueues(event)) for (const connection of hub.staff) audience.add(connection);
  const sent = deliverTicketEvent(audience, event);
  if (event.type === 'ticket.deleted') hub.dropTicket(event.ticket_id);
  return sent;
}

/**
 * Relays typing to the ticket's other subscribers: never to the typist's own sockets, and
 * typing of an internal note to staff only.
 */
export function routeTyping(hub: ConnectionHub, signal: TypingSignal): number {
  const frame = JSON.stringify({
    type: 'typing',
    ticket_id: signal.ticket_id,
    data: {
      user_id: signal.user_id,
      first_name: signal.first_name,
      is_staff: signal.is_staff,
      ...(signal.internal ? { internal: true } : {}),
    },
  });
  return deliver(
    hub.subscribersOf(signal.ticket_id),
    frame,
    (connection) =>
      connection.user?.userId !== signal.user_id && (!signal.internal || connection.isStaff),
  );
}
