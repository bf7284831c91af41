import type { Logger } from 'pino';
import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import type { Clock } from '../platform/clock.js';
import type { SettingsService } from '../settings/service.js';
import type { TicketService } from './service.js';

/** The queue the auto-close schedule sends to. */
export const autoCloseQueue = 'tickets.auto-close';

/** When auto-close looks for idle resolved tickets: every quarter hour, off the hour. */
const autoCloseSchedule = '7,22,37,52 * * * *';

/** Tickets closed per call; a run calls again until fewer come back. */
const batchSize = 100;

/** What auto-close runs on. */
export interface AutoCloseDeps {
  tickets: Pick<TicketService, 'closeIdleResolved'>;
  settings: Pick<SettingsService, 'current'>;
  clock: Clock;
  logger: Logger;
}

/**
 * One auto-close run: with `auto_close.after_days` (read as it starts) above 0, closes the
 * resolved tickets idle that many days (`TicketService.closeIdleResolved`). Resolves to how
 * many it closed.
 */
export function createAutoCloseRun(deps: AutoCloseDeps): () => Promise<number> {
  return async () => {
    const afterDays = (await deps.settings.current()).auto_close.after_days;
    if (afterDays === 0) return 0;
    const idleSince = new Date(deps.clock.now().getTime() - afterDays * 86_400_000);
    let total = 0;
    for (;;) {
      const closed = await deps.tickets.closeIdleResolved(idleSince, afterDays, batchSize);
      total += closed;
      if (closed < batchSize) break;
    }
    if (total > 0) deps.logger.info({ tickets: total, afterDays }, 'idle resolved tickets closed');
    return total;
  };
}

/** The tickets' jobs: auto-close of idle resolved tickets, on its schedule. */
export function ticketJobs(deps: AutoCloseDeps): JobDefinition[] {
  const run = createAutoCloseRun(deps);
  return [
    queuedJob(
      autoCloseQueue,
      async () => {
        await run();
      },
      { schedule: autoCloseSchedule },
    ),
  ];
}
