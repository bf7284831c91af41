import type { Logger } from 'pino';
import type { PeriodicJob } from '../jobs/registry.js';
import type { TicketService } from '../tickets/service.js';

/** How often the SLA states are moved on: warnings are due to the minute. */
export const slaCheckEveryMs = 60_000;

/** Tickets looked at per call; a run calls again while calls come back full. */
const batchSize = 200;

/** One SLA run: every ticket whose next check is due (`TicketService.recheckSla`). */
export function createSlaRun(deps: {
  tickets: Pick<TicketService, 'recheckSla'>;
  logger: Logger;
}): () => Promise<number> {
  return async () => {
    let total = 0;
    for (;;) {
      const looked = await deps.tickets.recheckSla(batchSize);
      total += looked;
      if (looked < batchSize) break;
    }
    if (total > 0) deps.logger.debug({ tickets: total }, 'SLA states moved on');
    return total;
  };
}

/**
 * The SLA job: every minute, in every worker (two workers looking at one ticket take turns on
 * its row lock, and each notice has a unique key, so nothing is sent twice).
 */
export function slaJob(deps: Parameters<typeof createSlaRun>[0]): PeriodicJob {
  const run = createSlaRun(deps);
  return {
    kind: 'periodic',
    name: 'sla.check',
    everyMs: slaCheckEveryMs,
    run: async () => {
      await run();
    },
  };
}
