import type { Logger } from 'pino';
import type { AuthService } from '../auth/service.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { createOutageLog } from '../db/outage-log.js';
import { DomainError, NotFound } from '../errors.js';
import { setNewest } from '../platform/bounded-map.js';
import type { PubSub } from '../platform/pubsub.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import type { Connection } from './connection.js';
import { typingChannel, type TypingSignal } from './fan-out.js';
import type { ConnectionHub } from './hub.js';
import { closeCodes, decodeClientMessage, errorFrame, type ClientMessage } from './protocol.js';

/** What handling client messages needs. */
export interface ClientMessageDeps {
  config: Pick<
    Config,
    'WS_MAX_CONNECTIONS_PER_USER' | 'WS_MAX_SUBSCRIPTIONS' | 'WS_TYPING_THROTTLE_MS'
  >;
  signer: TokenSigner;
  auth: AuthService;
  users: UserService;
  tickets: TicketService;
  pubsub: PubSub;
  hub: ConnectionHub;
  logger: Logger;
}

/** Remembered typing times; beyond this many the oldest are forgotten. */
const TYPING_MEMORY = 10_000;

/**
 * The answers to client messages: `auth`, `subscribe`, `unsubscribe`, `typing`, `ping`. Each
 * runs in its socket's queue, so they are handled in the order sent.
 */
export function createClientMessageHandler(deps: ClientMessageDeps) {
  const { config, hub } = deps;
  const lastTyping = new Map<string, number>();
  const logOutage = createOutageLog(deps.logger);

  async function authenticate(connection: Connection, token: string): Promise<void> {
    const claims = await deps.signer.verify(token);
    let principal;
    try {
      principal = await deps.auth.authenticateClaims(claims);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const blocked = error.code === 'user_blocked';
      connection.closeWith(
        blocked ? closeCodes.blocked : closeCodes.unauthorized,
        errorFrame(blocked ? 'user_blocked' : 'unauthorized', error.message),
        blocked ? 'user blocked' : 'unauthorized',
      );
      return;
    }
    if (!connection.open) return;
    if (!hub.signIn(connection, { ...principal }, config.WS_MAX_CONNECTIONS_PER_USER)) {
      connection.closeWith(
        closeCodes.tooMany,
        errorFrame(
          'too_many_connections',
          `At most ${config.WS_MAX_CONNECTIONS_PER_USER} open sockets per user; close another first`,
        ),
        'too many connections',
      );
      return;
    }
    connection.send(
      JSON.stringify({
        type: 'authenticated',
        data: { user_id: principal.userId, role: principal.role },
      }),
    );
  }

  async function subscribe(connection: Connection, ticketId: string): Promise<void> {
    const user = connection.user;
    if (!user) return;
    if (!connection.subscriptions.has(ticketId)) {
      if (connection.subscriptions.size >= config.WS_MAX_SUBSCRIPTIONS) {
        connection.send(
          errorFrame(
            'too_many_subscriptions',
            `At most ${config.WS_MAX_SUBSCRIPTIONS} subscriptions per socket; unsubscribe first`,
          ),
        );
        return;
      }
      try {
        await deps.tickets.get(user, ticketId);
      } catch (error) {
        if (!(error instanceof NotFound)) throw error;
        connection.send(errorFrame('not_found', 'Ticket not found'));
        return;
      }
      if (!connection.open) return;
      hub.subscribe(connection, ticketId);
    }
    connection.send(JSON.stringify({ type: 'subscribed', ticket_id: ticketId }));
  }

  async function typing(
    connection: Connection,
    message: Extract<ClientMessage, { type: 'typing' }>,
  ): Promise<void> {
    const user = connection.user;
    if (!user) return;
    if (!connection.subscriptions.has(message.ticket_id)) {
      connection.send(errorFrame('not_subscribed', 'Subscribe to the ticket before typing in it'));
      return;
    }
    // Only staff write internal notes; anyone else's typing is public.
    const internal = connection.isStaff && message.internal === true;
    const key = `${user.userId}:${message.ticket_id}:${internal}`;
    const now = Date.now();
    const last = lastTyping.get(key);
    if (last !== undefined && now - last < config.WS_TYPING_THROTTLE_MS) return;
    setNewest(lastTyping, key, now, TYPING_MEMORY);
    user.firstName ??= (await deps.users.getById(user.userId)).firstName;
    const signal: TypingSignal = {
      ticket_id: message.ticket_id,
      user_id: user.userId,
      first_name: user.firstName,
      is_staff: connection.isStaff,
      internal,
    };
    await deps.pubsub.publish(typingChannel, signal);
  }

  async function dispatch(connection: Connection, message: ClientMessage): Promise<void> {
    if (message.type === 'auth') {
      if (connection.user) connection.send(errorFrame('bad_message', 'Already authenticated'));
      else await authenticate(connection, message.token);
      return;
    }
    if (!connection.user) {
      connection.closeWith(
        closeCodes.unauthorized,
        errorFrame('unauthorized', 'Authenticate first: {"type":"auth","token":"…"}'),
        'unauthorized',
      );
      return;
    }
    switch (message.type) {
      case 'ping':
        connection.send('{"type":"pong"}');
        return;
      case 'subscribe':
        return subscribe(connection, message.ticket_id);
      case 'unsubscribe':
        hub.unsubscribe(connection, message.ticket_id);
        connection.send(JSON.stringify({ type: 'unsubscribed', ticket_id: message.ticket_id }));
        return;
      case 'typing':
        return typing(connection, message);
    }
  }

  return {
    /** Authenticates with a token from the query string, as if sent in an `auth` message. */
    authenticate,

    /** Handles one raw client message; nothing a client sends makes it throw. */
    async handle(connection: Connection, raw: string): Promise<void> {
      if (!connection.open) return;
      const decoded = decodeClientMessage(raw);
      if (!decoded.ok) {
        connection.send(errorFrame('bad_message', decoded.error));
        return;
      }
      try {
        await dispatch(connection, decoded.message);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          logOutage(error, 'websocket: database unavailable');
          const detail = 'The database is unavailable; try again shortly';
          connection.send(errorFrame('database_unavailable', detail));
          return;
        }
        deps.logger.error(
          { err: error, message: decoded.message.type },
          'websocket message failed',
        );
        connection.send(errorFrame('internal_error', 'Something went wrong; try again'));
      }
    },
  };
}

/** The handler of client messages. */
export type ClientMessageHandler = ReturnType<typeof createClientMessageHandler>;
