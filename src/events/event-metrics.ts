import type { Metrics } from '../platform/metrics.js';
import { activeStatuses } from '../tickets/ticket-status.js';
import type { DomainEvent, DomainEvents } from './domain-events.js';

/** Counts the ticket facts an event announces: one opened, one leaving the backlog. */
function count(metrics: Pick<Metrics, 'ticketsCreated' | 'ticketsResolved'>, event: DomainEvent) {
  if (event.type === 'ticket.created') {
    metrics.ticketsCreated.inc({ priority: event.data.priority });
  } else if (event.type === 'ticket.status_changed') {
    const { from, to } = event.changes.status ?? {};
    const left =
      activeStatuses.some((status) => status === from) && (to === 'resolved' || to === 'closed');
    if (left) metrics.ticketsResolved.inc({ status: to });
  }
}

/**
 * Domain events that count tickets opened and resolved as they are published: publishing
 * happens once, after commit, in the process that made the change (subscribers hear every
 * process's events, so counting there would count a change once per process).
 */
export function withEventMetrics(
  events: DomainEvents,
  metrics: Pick<Metrics, 'ticketsCreated' | 'ticketsResolved'>,
): DomainEvents {
  return {
    async publish(published) {
      for (const event of published) count(metrics, event);
      await events.publish(published);
    },
    subscribe: (handler) => events.subscribe(handler),
  };
}
