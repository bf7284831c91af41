import type { Logger } from 'pino';
import { unavailableCause } from './errors.js';

/** How long one cause stays quiet after it was logged. */
const quietMs = 60_000;

/**
 * Logs "the database is unavailable" as one warning per distinct cause (ECONNREFUSED, 57P01, …)
 * a minute, with no stack: during an outage every request and poll fails the same way, and a
 * line each would bury everything else.
 */
export function createOutageLog(
  logger: Pick<Logger, 'warn'>,
): (error: unknown, message: string) => void {
  const logged = new Map<string, number>();
  return (error, message) => {
    const cause = unavailableCause(error);
    const key = `${message}\u0000${cause}`;
    const now = performance.now();
    const last = logged.get(key);
    if (last !== undefined && now - last < quietMs) return;
    logged.set(key, now);
    logger.warn({ cause }, message);
  };
}
