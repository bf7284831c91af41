import type { Db } from '../db/client.js';
import type { Clock } from '../platform/clock.js';
import { ticketStats, type TicketStats } from './ticket-stats.js';

/** Creates the statistics service: figures read from the tickets and the audit log. */
export function createStatsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** Today's and this week's ticket figures (UTC), as of the clock's now (the bot's /stats). */
    ticketStats(): Promise<TicketStats> {
      return ticketStats(db, clock.now());
    },
  };
}

/** The statistics service. */
export type StatsService = ReturnType<typeof createStatsService>;
