/** The PostgreSQL error code (SQLSTATE) of a failed query, looking through Drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** SQLSTATE 23505: a unique index refused a duplicate. */
export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';

/** SQLSTATE 23503: a foreign key refused the change (e.g. the row is still referenced). */
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === '23503';

/**
 * SQLSTATEs of a server that is gone or not taking work: class 08 (connection exception),
 * 57P01–57P03 (admin or crash shutdown, cannot connect now: starting or stopping), 53300 (too
 * many connections).
 */
const unavailableStates = /^(08...|57P0[123]|53300)$/;

/** Network failures of the connection itself (Node's `code` of a socket error). */
const unavailableNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What node-postgres and its pool say, without a code, when the connection is gone or none
 * could be had in time (`connectionTimeoutMillis`).
 */
const unavailableMessages =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The driver's own error under Drizzle's wrapper (whose message quotes the statement's parameters). */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 4; depth += 1) {
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if (!cause) break;
    current = cause;
  }
  return current;
}

/**
 * True when `error` (or what it wraps, such as Drizzle's query error) says the database cannot
 * be reached right now: an outage to wait out and retry, not a fault of the statement or of ours.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqlState(error) ?? (innermost(error) as { code?: unknown } | undefined)?.code;
  if (
    typeof code === 'string' &&
    (unavailableNetworkCodes.has(code) || unavailableStates.test(code))
  ) {
    return true;
  }
  const message = (innermost(error) as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && unavailableMessages.test(message);
}

/** A short name of why the database is unavailable (a code, else the driver's words), to log once. */
export function unavailableCause(error: unknown): string {
  const leaf = innermost(error) as { code?: unknown; message?: unknown } | undefined;
  if (typeof leaf?.code === 'string') return leaf.code;
  return typeof leaf?.message === 'string' ? leaf.message.slice(0, 80) : 'unknown';
}
