import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What is being handled right now (an HTTP request, a queued job, a Telegram update): the
 * request id a job queued meanwhile carries on, and the fields every log line written meanwhile
 * gets (`request_id`, `queue`, `jobId`, `update_id`; see `logger.ts`).
 */
export interface LogContext {
  readonly requestId: string | undefined;
  readonly fields: Readonly<Record<string, string | number>>;
}

/**
 * Node's own AsyncLocalStorage (node:async_hooks, stable and standard): the context follows the
 * work through every await and callback, so no service has to pass a request id along.
 */
const storage = new AsyncLocalStorage<LogContext>();

/** The key a queued job's data carries its originating request id under (`platform/queue.ts`). */
export const jobRequestIdKey = 'request_id';

/** Runs `work` (and all it starts) in `context`, replacing any context it was called in. */
export function runInLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/**
 * Runs `work` outside any context. A connection opened while a request was handled keeps that
 * request's context for its own events ever after; what it reports later (a lost connection)
 * is about no request.
 */
export function outsideLogContext<T>(work: () => T): T {
  return storage.exit(work);
}

/** The context of the work under way, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** The request id of the work under way, if any: what a job queued now carries on. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The context of an HTTP request: its id, on every line not already bound to the request. */
export function requestLogContext(requestId: string): LogContext {
  return { requestId, fields: { request_id: requestId } };
}

/** The context of one run of a queued job: its queue and id, and its request's id if it had one. */
export function jobLogContext(
  queue: string,
  jobId: string,
  requestId: string | undefined,
): LogContext {
  return {
    requestId,
    fields: requestId ? { request_id: requestId, queue, jobId } : { queue, jobId },
  };
}

/**
 * The context of one Telegram update: `update_id`, and the request id of the webhook request
 * that queued it (kept from the job's context) or else `tg-<update_id>`; the fields of the work
 * it runs in (a job's queue and id) stay.
 */
export function updateLogContext(updateId: number): LogContext {
  const outer = storage.getStore();
  const requestId = outer?.requestId ?? `tg-${updateId}`;
  return {
    requestId,
    fields: { ...outer?.fields, request_id: requestId, update_id: updateId },
  };
}
