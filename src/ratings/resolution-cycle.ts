import type { TicketStatus } from '../db/schema.js';

/** One resolution of a ticket: the audit entry that resolved it, and when. */
export interface ResolutionCycle {
  id: string;
  resolvedAt: Date;
}

/** A recorded status change, newest first as `AuditLog.statusChanges` reads them. */
export interface StatusChange {
  id: string;
  at: Date;
  from: string | null;
  to: string | null;
}

/**
 * The resolution a customer may rate now, or null. A resolved ticket's is the change that
 * resolved it; a ticket closed straight after it was resolved (by staff, the customer or the
 * auto-close) keeps that resolution, as a helpdesk still takes feedback on a closed ticket; a
 * ticket reopened since, or closed without being resolved, has none. `changes` are the ticket's
 * latest two status changes, newest first.
 */
export function currentCycle(
  status: TicketStatus,
  changes: readonly StatusChange[],
): ResolutionCycle | null {
  const [last, before] = changes;
  if (status === 'resolved' && last?.to === 'resolved') {
    return { id: last.id, resolvedAt: last.at };
  }
  if (status === 'closed' && last?.from === 'resolved' && before?.to === 'resolved') {
    return { id: before.id, resolvedAt: before.at };
  }
  return null;
}
