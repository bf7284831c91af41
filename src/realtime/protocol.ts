import type { RawData } from 'ws';
import { z } from 'zod';

/**
 * What a client may send on `/api/v1/ws` (docs/api.md#websocket-apiv1ws). `typing` may say it is
 * about an internal note (`internal: true`); such typing reaches staff only.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4_096) }),
  z.object({ type: z.literal('subscribe'), ticket_id: z.uuid() }),
  z.object({ type: z.literal('unsubscribe'), ticket_id: z.uuid() }),
  z.object({
    type: z.literal('typing'),
    ticket_id: z.uuid(),
    internal: z.boolean().optional(),
  }),
  z.object({ type: z.literal('ping') }),
]);

/** A decoded, valid client message. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Close codes the gateway uses (besides 1009 for an oversized message and 1001 on shutdown). */
export const closeCodes = {
  /** Bad or expired token, or no `auth` before anything else. */
  unauthorized: 4401,
  /** The user is blocked (at sign-in or while connected). */
  blocked: 4403,
  /** No authentication within WS_AUTH_TIMEOUT_MS. */
  authTimeout: 4408,
  /** Too many sockets for this user or address, or messages far beyond the rate limit. */
  tooMany: 4429,
} as const;

/** Codes of `{"type":"error"}` frames. */
export type ErrorCode =
  | 'bad_message'
  | 'unauthorized'
  | 'auth_timeout'
  | 'user_blocked'
  | 'not_found'
  | 'not_subscribed'
  | 'too_many_connections'
  | 'too_many_subscriptions'
  | 'rate_limited'
  | 'database_unavailable'
  | 'internal_error';

/** A frame the server sends: an answer, an error or an event. */
export interface ServerFrame {
  type: string;
  ticket_id?: string | null;
  data?: unknown;
  code?: ErrorCode;
  message?: string;
  reason?: string;
}

/**
 * Sent to every signed-in socket when events from other server processes may have been missed
 * (their pub/sub link was cut and is back): the client refetches what it shows, as after a
 * reconnect of its own. Its subscriptions stay as they were.
 */
export const resyncFrame = JSON.stringify({
  type: 'resync',
  ticket_id: null,
} satisfies ServerFrame);

/** The JSON of an `error` frame. */
export function errorFrame(code: ErrorCode, message: string): string {
  return JSON.stringify({ type: 'error', code, message } satisfies ServerFrame);
}

/**
 * Decodes one client message: the message, or the `bad_message` explanation when it is not
 * JSON or not one of the messages above.
 */
export function decodeClientMessage(
  raw: string,
): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'Messages are JSON objects' };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'not a known message'}` };
}

/** A received message as text (ws hands over a Buffer, or its fragments). */
export function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
}
