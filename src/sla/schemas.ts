import { z } from 'zod';
import { slaStates, type TicketRow } from '../db/schema.js';

/** What the API shows of a ticket's SLA columns (`sla-state.ts` keeps them). */
type SlaRow = Pick<
  TicketRow,
  | 'status'
  | 'slaState'
  | 'slaRespondedAt'
  | 'slaPausedAt'
  | 'firstResponseDueAt'
  | 'firstResponseWarnAt'
  | 'resolutionDueAt'
  | 'resolutionWarnAt'
>;

const instant = z.iso.datetime().nullable();

/** A ticket's service levels as staff see them (docs/api.md#tickets); customers get null. */
export const ticketSlaSchema = z
  .object({
    state: z.enum(slaStates),
    first_response_due_at: instant.describe('Null: no first response target'),
    first_response_warn_at: instant.describe('80 % of the first response target'),
    resolution_due_at: instant.describe('Null: no resolution target'),
    resolution_warn_at: instant.describe('80 % of the resolution target'),
    responded_at: instant.describe('The first public staff answer of this cycle'),
    paused_at: instant.describe('Waiting on the customer since (targets move later by it)'),
    next_due_at: instant.describe(
      'The earliest due time still pending; null when paused, met, resolved or without target',
    ),
    next_warn_at: instant.describe(
      'The earliest warn instant still pending: a view turns to `warning` at it by itself',
    ),
  })
  .meta({ id: 'TicketSla', description: 'Service level targets of a ticket (staff only)' });

/** A ticket's SLA in API shape. */
export type TicketSlaDto = z.infer<typeof ticketSlaSchema>;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Shapes a ticket's SLA columns for the API; null when it has no target. */
export function toTicketSlaDto(row: SlaRow): TicketSlaDto | null {
  if (!row.slaState) return null;
  const live = row.slaState !== 'paused' && row.status !== 'resolved' && row.status !== 'closed';
  const pending = live
    ? [
        ...(row.slaRespondedAt ? [] : [[row.firstResponseWarnAt, row.firstResponseDueAt]]),
        [row.resolutionWarnAt, row.resolutionDueAt],
      ].filter((pair): pair is [Date, Date] => pair[0] !== null && pair[1] !== null)
    : [];
  const earliest = (index: 0 | 1) =>
    pending.length === 0
      ? null
      : new Date(Math.min(...pending.map((pair) => pair[index].getTime()))).toISOString();
  return {
    state: row.slaState,
    first_response_due_at: iso(row.firstResponseDueAt),
    first_response_warn_at: iso(row.firstResponseWarnAt),
    resolution_due_at: iso(row.resolutionDueAt),
    resolution_warn_at: iso(row.resolutionWarnAt),
    responded_at: iso(row.slaRespondedAt),
    paused_at: iso(row.slaPausedAt),
    next_due_at: earliest(1),
    next_warn_at: earliest(0),
  };
}

/**
 * A ticket as its viewer may see it: internal service levels are staff business, so anyone who
 * may not read every ticket (a customer) gets `sla: null`.
 */
export function slaShownTo<T extends { sla: TicketSlaDto | null }>(staff: boolean, ticket: T): T {
  return staff || ticket.sla === null ? ticket : { ...ticket, sla: null };
}
