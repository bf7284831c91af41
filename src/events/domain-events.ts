import type { Logger } from 'pino';
import type { PubSub } from '../platform/pubsub.js';

/** The pub/sub channel every domain event travels on. */
export const domainEventsChannel = 'domain-events';

/** The events a committed change raises (docs/api.md#domain-events). */
export const domainEventTypes = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.status_changed',
  'ticket.deleted',
  'message.created',
  'message.updated',
  'message.deleted',
  'notification.created',
  'notification.updated',
  'user.access_changed',
] as const;

/** The type of a domain event. */
export type DomainEventType = (typeof domainEventTypes)[number];

/** A field's value before and after a change. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/**
 * A committed change. `data` is the changed object in API shape (a ticket, a message or a
 * notification; for a deletion, what identified it), so subscribers need not read it back.
 * `ticket_user_id` is the ticket's author and `is_internal` marks staff-only content, for
 * deciding who may receive it. Events about one person (`notification.created` and
 * `notification.updated` for its recipient, `user.access_changed` after a role change or
 * block) name them in `user_id`; they carry a null `ticket_id` when no ticket is involved.
 */
export interface DomainEvent {
  type: DomainEventType;
  ticket_id: string | null;
  ticket_user_id: string | null;
  /** The one person the event is for or about, when it is not a ticket's audience. */
  user_id?: string;
  actor_id: string | null;
  is_internal: boolean;
  occurred_at: string;
  data: Record<string, unknown>;
  /** For updates: the fields that changed. */
  changes?: Record<string, FieldChange>;
}

/** Publishes domain events after commit and lets the realtime and notification layers listen. */
export interface DomainEvents {
  /** Publishes each event; best effort (a failure is logged, the change stands). */
  publish(events: readonly DomainEvent[]): Promise<void>;
  /** Calls `handler` with every event from every process; resolves to the unsubscribe. */
  subscribe(handler: (event: DomainEvent) => void): Promise<() => Promise<void>>;
}

/** Domain events over the pub/sub port, so they reach every process (Redis) or this one. */
export function createDomainEvents(deps: { pubsub: PubSub; logger: Logger }): DomainEvents {
  const { pubsub, logger } = deps;
  return {
    async publish(events) {
      for (const event of events) {
        try {
          await pubsub.publish(domainEventsChannel, event);
        } catch (error) {
          // The change is committed; realtime is best effort and clients refetch on reconnect.
          logger.warn({ err: error, event: event.type }, 'domain event not published');
        }
      }
    },
    subscribe(handler) {
      return pubsub.subscribe(domainEventsChannel, (message) => handler(message as DomainEvent));
    },
  };
}
