import type { Logger } from 'pino';
import type { UserRole } from '../db/schema.js';
import type { MessageDto } from '../messages/schemas.js';
import type { NotificationDto } from '../notifications/schemas.js';
import type { PubSub } from '../platform/pubsub.js';
import type { RatingDto } from '../ratings/schemas.js';
import type { TicketDto } from '../tickets/schemas.js';

/** The pub/sub channel every domain event travels on. */
export const domainEventsChannel = 'domain-events';

/** A field's value before and after a change. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/**
 * What every event says besides its type and payload. `ticket_user_id` is the ticket's author
 * and `is_internal` marks staff-only content, for deciding who may receive it; `ticket_id` is
 * null when no ticket is involved.
 */
interface EventFrame {
  ticket_id: string | null;
  ticket_user_id: string | null;
  actor_id: string | null;
  is_internal: boolean;
  occurred_at: string;
}

/** A ticket opened or deleted; `data` is the ticket (as it was, for a deletion). */
export interface TicketEvent extends EventFrame {
  type: 'ticket.created' | 'ticket.deleted';
  ticket_id: string;
  ticket_user_id: string;
  data: TicketDto;
}

/** A ticket changed; `data` is the ticket after the change, `changes` the fields that moved. */
export interface TicketChangeEvent extends EventFrame {
  type: 'ticket.updated' | 'ticket.assigned' | 'ticket.status_changed';
  ticket_id: string;
  ticket_user_id: string;
  data: TicketDto;
  changes: Record<string, FieldChange>;
}

/** A message written or edited; `data` is the message. */
export interface MessageEvent extends EventFrame {
  type: 'message.created' | 'message.updated';
  ticket_id: string;
  ticket_user_id: string;
  data: MessageDto;
}

/** What identifies a deleted message, and whether it was staff-only. */
export type DeletedMessage = Pick<MessageDto, 'id' | 'ticket_id' | 'is_internal'>;

/** A message deleted; `data` names it. */
export interface MessageDeletedEvent extends EventFrame {
  type: 'message.deleted';
  ticket_id: string;
  ticket_user_id: string;
  data: DeletedMessage;
}

/** A notification written or changed (its words or count), for its recipient `user_id`. */
export interface NotificationEvent extends EventFrame {
  type: 'notification.created' | 'notification.updated';
  ticket_user_id: null;
  /** The recipient. */
  user_id: string;
  data: NotificationDto;
}

/**
 * A customer rated a resolution of their ticket or changed the rating (`ratings/service.ts`), so
 * open views of the ticket show it; `data` is the rating.
 */
export interface RatingEvent extends EventFrame {
  type: 'rating.saved';
  ticket_id: string;
  ticket_user_id: string;
  data: RatingDto;
}

/** A user's new role and block state, after a staff change (or an owner's sign-in). */
export interface AccessChange {
  id: string;
  role: UserRole;
  is_active: boolean;
}

/** A session of the user revoked (logout, refresh-token replay). */
export interface SessionRevoked {
  id: string;
  revoked_session_id: string;
}

/** A user's access changed (role, block, a revoked session): their sockets are re-checked. */
export interface AccessChangedEvent extends EventFrame {
  type: 'user.access_changed';
  ticket_id: null;
  ticket_user_id: null;
  /** The user whose access changed. */
  user_id: string;
  data: AccessChange | SessionRevoked;
}

/** The `user.access_changed` event for `data`'s user, made by `actorId` at `at`. */
export function accessChanged(
  data: AccessChange | SessionRevoked,
  actorId: string | null,
  at: Date,
): AccessChangedEvent {
  return {
    type: 'user.access_changed',
    ticket_id: null,
    ticket_user_id: null,
    user_id: data.id,
    actor_id: actorId,
    is_internal: false,
    occurred_at: at.toISOString(),
    data,
  };
}

/**
 * A committed change (docs/api.md#domain-events): one member per kind, told apart by `type`,
 * each with its payload in API shape, so subscribers need not read it back.
 */
export type DomainEvent =
  | TicketEvent
  | TicketChangeEvent
  | MessageEvent
  | MessageDeletedEvent
  | NotificationEvent
  | AccessChangedEvent
  | RatingEvent;

/** The type of a domain event. */
export type DomainEventType = DomainEvent['type'];

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
      // All at once: on one Redis connection they still arrive in order, in one write.
      await Promise.all(
        events.map(async (event) => {
          try {
            await pubsub.publish(domainEventsChannel, event);
          } catch (error) {
            // The change is committed; realtime is best effort and clients refetch on reconnect.
            logger.warn({ err: error, event: event.type }, 'domain event not published');
          }
        }),
      );
    },
    subscribe(handler) {
      // Only this code publishes on the channel, so what arrives is one of the union.
      return pubsub.subscribe(domainEventsChannel, (message) => handler(message as DomainEvent));
    },
  };
}
