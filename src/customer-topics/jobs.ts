import { GrammyError } from 'grammy';
import type { Logger } from 'pino';
import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import type { JobQueue } from '../platform/queue.js';
import { topicOpenJobOptions, topicOpenQueue, type TopicOpenJob } from './service.js';
import { TopicBusy, type TopicOpener } from './topic-opener.js';

/** Seconds before a topic another worker was making is looked at again. */
const busyRetryS = 5;

/**
 * The job that creates a new ticket's topic and card in its customer's chat. A 429 pauses every
 * sender for its `retry_after` and queues the job again after it; a topic being made by another
 * worker is looked at again a little later; network failures and 5xx are retried by the queue with backoff.
 */
export function customerTopicJobs(deps: {
  opener: TopicOpener;
  limiter: { pause(seconds: number): Promise<void> };
  queue: JobQueue;
  logger: Logger;
}): JobDefinition[] {
  const { opener, limiter, queue, logger } = deps;
  return [
    queuedJob<TopicOpenJob>(topicOpenQueue, async ({ data }) => {
      try {
        await opener.open(data.ticket_id);
      } catch (error) {
        if (error instanceof TopicBusy) {
          // Whoever holds it finishes it; should they have died, its lease runs out meanwhile.
          await queue.send<TopicOpenJob>(topicOpenQueue, data, {
            ...topicOpenJobOptions,
            startAfter: busyRetryS,
          });
          return;
        }
        if (!(error instanceof GrammyError) || error.error_code !== 429) throw error;
        const retryAfter = error.parameters.retry_after ?? 1;
        await limiter.pause(retryAfter);
        await queue.send<TopicOpenJob>(topicOpenQueue, data, {
          ...topicOpenJobOptions,
          startAfter: retryAfter,
        });
        logger.warn({ ticketId: data.ticket_id, retryAfter }, 'Telegram flood limit: topic later');
      }
    }),
  ];
}
