import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Principal } from '../auth/service.js';
import type { Container } from '../container.js';
import type { DomainEvent } from '../events/domain-events.js';
import { createClientMessageHandler } from './client-messages.js';
import { Connection } from './connection.js';
import { routeEvent, routeTyping, typingChannel, type TypingSignal } from './fan-out.js';
import { ConnectionHub } from './hub.js';
import { createGatewayMetrics } from './metrics.js';
import { closeCodes, errorFrame, resyncFrame, textOf } from './protocol.js';
import { reviewAccess, reviewAllAccess } from './access-review.js';
import { createStatsFeed, movesCounts } from './stats-feed.js';

/** What the gateway needs from the container. */
export type GatewayDeps = Pick<
  Container,
  'config' | 'logger' | 'signer' | 'auth' | 'users' | 'tickets' | 'events' | 'pubsub' | 'metrics'
>;

/** Staff's view of the counts: every ticket (the counts query only reads the role). */
const staffReader: Principal = {
  userId: '00000000-0000-7000-8000-000000000000',
  role: 'agent',
  sessionId: '',
};

/** Errors a client causes: a broken or oversized frame (ws's `WS_ERR_*`), a dropped line. */
function isClientFault(error: Error & { code?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return code.startsWith('WS_ERR_') || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code);
}

/**
 * The socket's error, which `ws` emits once per connection (it has already sent the close
 * code, such as 1009 for an oversized message). Anything a client can cause is logged at info
 * level without a stack, so no client can fill the error log; the rest is a server error.
 */
function onSocketError(
  this: FastifyInstance,
  error: Error & { code?: unknown },
  socket: WebSocket,
  request: FastifyRequest,
): void {
  if (isClientFault(error)) {
    request.log.info({ code: error.code, reason: error.message }, 'websocket client fault');
  } else {
    request.log.error({ err: error }, 'websocket failed');
  }
  socket.terminate();
}

/**
 * The WebSocket gateway at `/ws` (under `/api/v1`): authenticates sockets, keeps their ticket
 * subscriptions, and fans the domain events of every process out to the sockets of this one.
 */
export default async function realtimeGateway(
  app: FastifyInstance,
  options: { container: GatewayDeps },
): Promise<void> {
  const { config, pubsub, events } = options.container;
  const logger = options.container.logger.child({ module: 'realtime' });
  const hub = new ConnectionHub();
  const { framesSent } = createGatewayMetrics(options.container.metrics.registry, hub);
  const messages = createClientMessageHandler({ ...options.container, logger, hub });
  const limits = {
    messagesPerSecond: config.WS_MESSAGES_PER_S,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
  };
  const countFrame = () => framesSent.inc();

  const stats = createStatsFeed({
    delayMs: config.WS_STATS_DEBOUNCE_MS,
    hasListeners: () => hub.staff.size > 0,
    async publish() {
      const counts = await options.container.tickets.counts(staffReader, {});
      const frame = JSON.stringify({ type: 'stats.updated', ticket_id: null, data: counts });
      for (const connection of hub.staff) connection.send(frame);
    },
    onError: (error) => logger.warn({ err: error }, 'stats.updated not sent'),
  });

  function onEvent(event: DomainEvent): void {
    if (event.type === 'user.access_changed') {
      reviewAccess(hub, event, options.container).catch((error: unknown) => {
        logger.error({ err: error, user_id: event.user_id }, 'socket access re-check failed');
      });
      return;
    }
    routeEvent(hub, event);
    if (movesCounts(event.type)) stats.touch();
  }
  const stopEvents = await events.subscribe(onEvent);
  const stopTyping = await pubsub.subscribe(typingChannel, (signal) =>
    routeTyping(hub, signal as TypingSignal),
  );
  // Events from other processes were lost while pub/sub was cut off: clients refetch, and the
  // sockets' access is checked again in case a block, role change or logout was among them.
  const stopResync = pubsub.onReconnect(() => {
    logger.info({ sockets: hub.size }, 'pub/sub is back: telling sockets to resynchronise');
    for (const connection of hub.all) if (connection.user) connection.send(resyncFrame);
    reviewAllAccess(hub, options.container).catch((error: unknown) => {
      logger.error({ err: error }, 'socket access re-check after reconnection failed');
    });
  });

  // A peer that has not answered the previous ping by the next one is gone.
  const heartbeat = setInterval(() => {
    for (const connection of hub.all) {
      if (!connection.alive) {
        connection.terminate();
        hub.remove(connection);
        continue;
      }
      connection.alive = false;
      if (connection.open) connection.socket.ping();
    }
  }, config.WS_HEARTBEAT_MS);
  heartbeat.unref();

  // Before @fastify/websocket's own preClose (added later), so clients learn why (1001).
  app.addHook('preClose', async () => {
    for (const connection of hub.all) connection.closeWith(1001, undefined, 'server shutting down');
  });
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    stopResync();
    stats.stop();
    await stopEvents();
    await stopTyping();
  });

  await app.register(websocket, {
    options: { maxPayload: config.WS_MAX_MESSAGE_BYTES },
    errorHandler: onSocketError,
  });

  /**
   * Takes a new socket. Signed-in sockets are limited per user (at sign-in); the per-address
   * limit only guards against floods of sockets that have not signed in, so that many people
   * behind one address (an office, a mobile carrier's NAT) are not shut out by each other. A
   * socket with a `?token=` is signed in at once and so skips it.
   */
  function accept(socket: WebSocket, ip: string, token: string | undefined): void {
    const connection = new Connection(socket, ip, limits, countFrame);
    if (token === undefined && hub.anonymousCountForIp(ip) >= config.WS_MAX_CONNECTIONS_PER_IP) {
      connection.closeWith(
        closeCodes.tooMany,
        errorFrame(
          'too_many_connections',
          `At most ${config.WS_MAX_CONNECTIONS_PER_IP} sockets per address may wait to sign in`,
        ),
        'too many connections',
      );
      return;
    }
    hub.add(connection);
    const authTimer = setTimeout(() => {
      if (connection.user) return;
      connection.closeWith(
        closeCodes.authTimeout,
        errorFrame('auth_timeout', `No authentication within ${config.WS_AUTH_TIMEOUT_MS} ms`),
        'authentication timeout',
      );
    }, config.WS_AUTH_TIMEOUT_MS);
    socket.on('close', () => {
      clearTimeout(authTimer);
      hub.remove(connection);
    });
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data: RawData) => {
      const verdict = connection.checkRate(Date.now());
      if (verdict === 'abusive') {
        connection.closeWith(
          closeCodes.tooMany,
          errorFrame('rate_limited', 'Far too many messages; closing'),
          'rate limit',
        );
        return;
      }
      if (verdict === 'limited') {
        connection.send(
          errorFrame('rate_limited', `At most ${config.WS_MESSAGES_PER_S} messages per second`),
        );
        return;
      }
      const raw = textOf(data);
      connection.enqueue(() => messages.handle(connection, raw));
    });
    if (token !== undefined) {
      const auth = JSON.stringify({ type: 'auth', token });
      connection.enqueue(() => messages.handle(connection, auth));
    }
  }

  app.get(
    '/ws',
    {
      websocket: true,
      // OpenAPI cannot describe a WebSocket; docs/api.md#websocket-apiv1ws does.
      schema: { hide: true },
    },
    (socket, request) => {
      const { token } = request.query as { token?: unknown };
      accept(socket, request.ip, typeof token === 'string' && token !== '' ? token : undefined);
    },
  );
}
