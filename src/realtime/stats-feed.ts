import type { DomainEventType } from '../events/domain-events.js';

/** Ticket events that move the counts by status. */
const countingEvents = new Set<DomainEventType>([
  'ticket.created',
  'ticket.status_changed',
  'ticket.deleted',
]);

/** True when the event changes how many tickets there are in some status. */
export function movesCounts(type: DomainEventType): boolean {
  return countingEvents.has(type);
}

/**
 * `stats.updated` for staff, at most once per `delayMs`: the first ticket change arms a timer,
 * later ones within it ride along, and when it fires the counts are read once and sent.
 */
export function createStatsFeed(options: {
  delayMs: number;
  /** Reads the counts and sends them; only called while someone is listening. */
  publish: () => Promise<void>;
  /** True when any staff socket is open here. */
  hasListeners: () => boolean;
  onError: (error: unknown) => void;
}) {
  let timer: NodeJS.Timeout | undefined;
  return {
    /** Notes a change; the counts follow after the delay. */
    touch(): void {
      if (timer || !options.hasListeners()) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (options.hasListeners()) options.publish().catch(options.onError);
      }, options.delayMs);
      timer.unref();
    },
    /** Cancels a pending update (shutdown). */
    stop(): void {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
