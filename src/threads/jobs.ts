import type { Logger } from 'pino';
import type { JobDefinition } from '../jobs/registry.js';
import type { StaffSender } from './sender.js';

/**
 * The staff group's sender loop in each worker process: a tick every `pollMs` (at once again
 * after a tick that called Telegram, as more may wait). Every process runs one; the shared
 * pace and the post claims (`store.ts`) keep them to one call at a time and the group's limit.
 * Stopping waits for the tick under way, so a call made is always recorded.
 */
export function staffGroupJobs(deps: {
  sender: StaffSender;
  pollMs: number;
  logger: Logger;
}): JobDefinition[] {
  const { sender, pollMs, logger } = deps;
  return [
    {
      kind: 'startup',
      name: 'staff-group.sender',
      start() {
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        let running: Promise<void> = Promise.resolve();
        const loop = async () => {
          let called = false;
          try {
            called = await sender.tick();
          } catch (error) {
            logger.warn({ err: error }, 'staff group: a sender tick failed; it runs again soon');
          }
          if (!stopped) timer = setTimeout(turn, called ? 0 : pollMs);
        };
        const turn = () => {
          running = loop();
        };
        timer = setTimeout(turn, 0);
        return Promise.resolve(async () => {
          stopped = true;
          clearTimeout(timer);
          await running;
        });
      },
    },
  ];
}
