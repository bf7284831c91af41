import { Redis } from 'ioredis';
import pg from 'pg';
import { currentLogContext } from '../src/platform/log-context.js';

/** What was sent to the database and to Redis while a {@link RoundTripCounter} listened. */
export interface RoundTrips {
  /** Every SQL statement sent, in order (BEGIN and COMMIT included: each is a round trip). */
  statements: string[];
  /** Every Redis command sent, in order, by name (lower case). */
  redisCommands: string[];
  /** Redis round trips: a pipeline (one write of several commands) counts once. */
  redisRoundTrips: number;
}

/**
 * Counts the SQL statements and Redis commands this process sends on behalf of one HTTP request
 * (in its log context: `src/http/plugins/log-context.ts`), between `start` and `stop`. The job
 * queue's polling, the jobs it runs and other requests (contexts of their own) are left out.
 */
export interface RoundTripCounter {
  /** Starts counting what the request with this id (its `x-request-id`) sends. */
  start(requestId: string): void;
  /** What was sent since `start`. */
  stop(): RoundTrips;
  /** Puts the client methods back. */
  restore(): void;
}

type Query = pg.Client['query'];
type PoolQuery = pg.Pool['query'];
type SendCommand = Redis['sendCommand'];

/** The text of the statement a node-postgres `query` call sends (a string or a config object). */
function statementText(first: unknown): string {
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'text' in first) return String(first.text);
  return String(first);
}

/**
 * True while the HTTP request `requestId` is being handled: not a job it queued (whose context
 * has its queue and id besides), nor another request's.
 */
function inRequest(requestId: string | undefined): boolean {
  const context = currentLogContext();
  return (
    context !== undefined &&
    context.requestId === requestId &&
    Object.keys(context.fields).every((key) => key === 'request_id')
  );
}

/**
 * Wraps node-postgres's client (through which both the PostgreSQL pool and the embedded
 * database's connections go: `src/db/pglite.ts`) and ioredis's command sending, to count what a
 * request costs in round trips. Install once per test file; only one counter at a time.
 */
export function countRoundTrips(): RoundTripCounter {
  // The originals, put back by `restore` and called with each wrapper's own `this`.
  /* eslint-disable @typescript-eslint/unbound-method -- called with `apply` on their own objects */
  const query = pg.Client.prototype.query;
  const poolQuery = pg.Pool.prototype.query;
  const sendCommand = Redis.prototype.sendCommand;
  /* eslint-enable @typescript-eslint/unbound-method */
  let listening: string | undefined;
  let statements: string[] = [];
  let redisCommands: string[] = [];
  let pipelines = new Set<unknown>();
  let single = 0;

  const record = (first: unknown) => {
    if (listening && inRequest(listening)) statements.push(statementText(first));
  };
  // A statement outside a transaction goes through the pool, which may hand it to a connection
  // later, from whatever released one: counted here, where the request still sends it.
  pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
    record(args[0]);
    return (poolQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as PoolQuery;
  // One in a transaction goes straight to its connection. The pool's own calls pass a callback
  // (counted above); Drizzle's and the application's await a promise.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (typeof args.at(-1) !== 'function') record(args[0]);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as Query;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<SendCommand>) {
    const [command, stream] = args;
    if (listening && inRequest(listening)) {
      redisCommands.push(command.name.toLowerCase());
      // Commands of a pipeline (explicit, or ioredis's automatic one) share its stream object.
      if (stream) pipelines.add(stream);
      else single += 1;
    }
    return sendCommand.apply(this, args);
  };

  return {
    start(requestId) {
      statements = [];
      redisCommands = [];
      pipelines = new Set();
      single = 0;
      listening = requestId;
    },
    stop() {
      listening = undefined;
      return { statements, redisCommands, redisRoundTrips: single + pipelines.size };
    },
    restore() {
      listening = undefined;
      pg.Client.prototype.query = query;
      pg.Pool.prototype.query = poolQuery;
      Redis.prototype.sendCommand = sendCommand;
    },
  };
}
