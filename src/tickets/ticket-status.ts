import { Conflict } from '../errors.js';
import type { TicketStatus } from '../db/schema.js';

/**
 * The ticket state machine: which status may follow which. Staff move tickets along it; a
 * closed ticket can only be reopened. See `authorMayChange` for what a customer may do.
 */
export const statusTransitions: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'waiting', 'resolved', 'closed'],
  in_progress: ['open', 'waiting', 'resolved', 'closed'],
  waiting: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['open', 'in_progress', 'waiting', 'closed'],
  closed: ['open'],
};

/** True when the state machine allows `from` → `to`. */
export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return statusTransitions[from].includes(to);
}

/** A ticket's author (without a staff role) may close it, and reopen it once resolved or closed. */
export function authorMayChange(from: TicketStatus, to: TicketStatus): boolean {
  if (to === 'closed') return from !== 'closed';
  return to === 'open' && (from === 'resolved' || from === 'closed');
}

/** Statuses in which a ticket is still being worked on. */
export const activeStatuses: readonly TicketStatus[] = ['open', 'in_progress', 'waiting'];

/** Refuses (409) a change to a closed ticket: it can only be reopened. */
export function refuseClosed(ticket: { status: TicketStatus }): void {
  if (ticket.status === 'closed') {
    throw new Conflict('The ticket is closed; reopen it first', 'ticket_closed');
  }
}
