import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** How long the rest of a refused body may take to arrive before the connection is dropped. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Reads and discards what is left of a request body once the answer is on its way, so that
 * the connection can carry the client's next request. Without it, a body abandoned half-read
 * (an upload cut off with 413, a refusal before the body was read) leaves the request stream
 * paused: the client's next request on that pooled connection hangs until the keep-alive
 * timeout and is then reset. A remainder too large to read (or of unknown size) gets
 * `Connection: close` instead.
 */
function releaseBody(
  request: FastifyRequest,
  reply: FastifyReply,
  drainLimit: number,
  timeoutMs: number,
): void {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  if (!raw.complete) {
    const declared = Number(raw.headers['content-length']);
    if (!(Number.isSafeInteger(declared) && declared <= drainLimit)) {
      reply.header('connection', 'close');
    }
    const timer = setTimeout(() => raw.socket.destroy(), timeoutMs);
    timer.unref();
    raw.once('end', () => clearTimeout(timer));
    raw.once('close', () => clearTimeout(timer));
  }
  // A multipart parser that stopped at the refused part still holds the stream.
  raw.unpipe();
  raw.resume();
}

/** See {@link releaseBody}; `drainLimit` is the largest body read to its end after a refusal. */
export default fp(
  function unreadBody(
    app: FastifyInstance,
    options: { drainLimit: number; drainTimeoutMs?: number },
  ) {
    const timeoutMs = options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
    app.addHook('onSend', async (request, reply) => {
      releaseBody(request, reply, options.drainLimit, timeoutMs);
    });
  },
  { name: 'unread-body' },
);
