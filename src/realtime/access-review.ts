import type { AuthService } from '../auth/service.js';
import { DomainError, NotFound } from '../errors.js';
import type { AccessChangedEvent } from '../events/domain-events.js';
import type { TicketService } from '../tickets/service.js';
import type { UserAccess } from '../users/service.js';
import type { Connection } from './connection.js';
import type { ConnectionHub } from './hub.js';
import { closeCodes, errorFrame } from './protocol.js';

/** The new access a `user.access_changed` event carries (none for a revoked session). */
function accessIn(event: AccessChangedEvent): Pick<UserAccess, 'role' | 'is_active'> | undefined {
  const { data } = event;
  return 'role' in data ? { role: data.role, is_active: data.is_active } : undefined;
}

/** Drops the subscriptions of tickets this socket's user may no longer see. */
async function recheckSubscriptions(
  hub: ConnectionHub,
  connection: Connection,
  tickets: TicketService,
): Promise<void> {
  const user = connection.user;
  if (!user) return;
  for (const ticketId of [...connection.subscriptions]) {
    try {
      await tickets.get(user, ticketId);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      if (hub.unsubscribe(connection, ticketId)) {
        connection.send(
          JSON.stringify({ type: 'unsubscribed', ticket_id: ticketId, reason: 'access_changed' }),
        );
      }
    }
  }
}

/** Closes a socket whose session or account no longer lets it in. */
function shut(hub: ConnectionHub, connection: Connection, blocked: boolean): void {
  hub.remove(connection);
  connection.closeWith(
    blocked ? closeCodes.blocked : closeCodes.unauthorized,
    blocked
      ? errorFrame('user_blocked', 'This account is blocked')
      : errorFrame('unauthorized', 'This session has ended; sign in again'),
    blocked ? 'user blocked' : 'session ended',
  );
}

/**
 * Applies a role change, block or session revocation (logout, refresh-token reuse) to the
 * user's open sockets at once: each socket's session is checked again like an HTTP request's;
 * a blocked user's sockets close (4403), a revoked session's close (4401); the others take the
 * new role, leave or join the staff room, and lose the subscriptions they may no longer see.
 */
export async function reviewAccess(
  hub: ConnectionHub,
  event: AccessChangedEvent,
  deps: { auth: AuthService; tickets: TicketService },
): Promise<void> {
  if (!event.user_id) return;
  await reviewUser(hub, event.user_id, accessIn(event), deps);
}

/**
 * Checks every signed-in socket again, one user after the other, as {@link reviewAccess} does
 * for one: after announcements may have been lost (pub/sub was cut off from other processes).
 */
export async function reviewAllAccess(
  hub: ConnectionHub,
  deps: { auth: AuthService; tickets: TicketService },
): Promise<void> {
  const userIds = new Set<string>();
  for (const connection of hub.all) if (connection.user) userIds.add(connection.user.userId);
  for (const userId of userIds) await reviewUser(hub, userId, undefined, deps);
}

async function reviewUser(
  hub: ConnectionHub,
  userId: string,
  announced: Pick<UserAccess, 'role' | 'is_active'> | undefined,
  deps: { auth: AuthService; tickets: TicketService },
): Promise<void> {
  for (const connection of [...hub.connectionsOf(userId)]) {
    const user = connection.user;
    if (!user) continue;
    if (announced?.is_active === false) {
      shut(hub, connection, true);
      continue;
    }
    let principal;
    try {
      principal = await deps.auth.authenticateClaims(user);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      shut(hub, connection, error.code === 'user_blocked');
      continue;
    }
    user.role = announced?.role ?? principal.role;
    hub.refreshRole(connection);
    if (!connection.isStaff) {
      connection.enqueue(() => recheckSubscriptions(hub, connection, deps.tickets));
    }
  }
}
