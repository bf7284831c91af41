import type { SlaState, TicketPriority, TicketStatus } from '../db/schema.js';
import type { SettingsValues } from '../settings/schemas.js';
import { addSupportMinutes, supportMinutesBetween, type SupportHours } from './support-time.js';

/** The SLA targets of every priority, as the settings hold them (`sla`). */
export type SlaTargets = SettingsValues['sla'];

/** The two targets a ticket is held to. */
export type SlaTarget = 'first_response' | 'resolution';

/** How far along a target a notice is sent: at 80 % (`warning`) and at 100 % (`breached`). */
export type SlaLevel = 'warning' | 'breached';

/** The share of a target after which its assignee is warned. */
export const warnShare = 0.8;

/** A ticket's SLA columns (`tickets` in `db/schema.ts`), kept together. */
export interface SlaColumns {
  slaStartedAt: Date | null;
  slaPausedMinutes: number;
  slaPausedAt: Date | null;
  slaRespondedAt: Date | null;
  firstResponseDueAt: Date | null;
  firstResponseWarnAt: Date | null;
  resolutionDueAt: Date | null;
  resolutionWarnAt: Date | null;
  slaState: SlaState | null;
  slaCheckAt: Date | null;
  slaDueAt: Date;
}

/** The `due_at` sort key of a ticket with nothing pending: after every real due time. */
export const noDueAt = new Date('9999-12-31T00:00:00Z');

/** A ticket's SLA columns before any cycle: the columns' defaults. */
export const noSlaColumns: Readonly<SlaColumns> = {
  slaStartedAt: null,
  slaPausedMinutes: 0,
  slaPausedAt: null,
  slaRespondedAt: null,
  firstResponseDueAt: null,
  firstResponseWarnAt: null,
  resolutionDueAt: null,
  resolutionWarnAt: null,
  slaState: null,
  slaCheckAt: null,
  slaDueAt: noDueAt,
};

/** What the rules look at of a ticket. */
export interface SlaTicket extends SlaColumns {
  status: TicketStatus;
  priority: TicketPriority;
}

/** What happened to the ticket at `now`. */
export interface SlaChange {
  now: Date;
  /** Staff answered the customer publicly just now. */
  staffAnswered?: boolean;
}

const ended = (status: TicketStatus) => status === 'resolved' || status === 'closed';

/** A target of one cycle: its instants and when (if) it was done. */
interface TargetTrack {
  target: SlaTarget;
  warnAt: Date;
  dueAt: Date;
  doneAt: Date | null;
}

/** The targets a ticket has, each with when it was done (answered; resolved). */
function tracksOf(columns: SlaColumns, endedAt: Date | null): TargetTrack[] {
  const tracks: TargetTrack[] = [];
  if (columns.firstResponseDueAt && columns.firstResponseWarnAt) {
    tracks.push({
      target: 'first_response',
      warnAt: columns.firstResponseWarnAt,
      dueAt: columns.firstResponseDueAt,
      doneAt: columns.slaRespondedAt ?? endedAt,
    });
  }
  if (columns.resolutionDueAt && columns.resolutionWarnAt) {
    tracks.push({
      target: 'resolution',
      warnAt: columns.resolutionWarnAt,
      dueAt: columns.resolutionDueAt,
      doneAt: endedAt,
    });
  }
  return tracks;
}

/**
 * Where a ticket stands at `now`: `breached` once any target of the cycle was missed (it stays
 * so until the cycle ends); else `paused` while it waits on the customer; else `warning` past
 * 80 % of a pending target; `ok` with a target pending; `met` with every target done in time.
 * Null without targets.
 */
function stateAt(
  columns: SlaColumns,
  status: TicketStatus,
  now: Date,
): Pick<SlaColumns, 'slaState' | 'slaCheckAt' | 'slaDueAt'> {
  const tracks = tracksOf(columns, ended(status) ? now : null);
  if (tracks.length === 0) return { slaState: null, slaCheckAt: null, slaDueAt: noDueAt };
  const pending = tracks.filter((track) => !track.doneAt);
  const breached = tracks.some((track) =>
    track.doneAt ? track.doneAt > track.dueAt : now >= track.dueAt,
  );
  const paused = columns.slaPausedAt !== null;
  let state: SlaState = 'met';
  if (breached) state = 'breached';
  else if (paused) state = 'paused';
  else if (pending.some((track) => now >= track.warnAt)) state = 'warning';
  else if (pending.length > 0) state = 'ok';
  if (paused || pending.length === 0)
    return { slaState: state, slaCheckAt: null, slaDueAt: noDueAt };
  const future = pending
    .flatMap((track) => [track.warnAt, track.dueAt])
    .filter((instant) => instant > now)
    .map((instant) => instant.getTime());
  return {
    slaState: state,
    slaCheckAt: future.length > 0 ? new Date(Math.min(...future)) : null,
    slaDueAt: new Date(Math.min(...pending.map((track) => track.dueAt.getTime()))),
  };
}

/**
 * A ticket's SLA columns after a change (`before` null: it is being opened). The cycle starts
 * at creation and again when a resolved or closed ticket becomes active; targets are counted
 * from its start in support time, plus the support time spent waiting on the customer (status
 * `waiting` pauses; leaving it moves the due times later by the pause). A priority change
 * counts the new targets from the cycle's start. A resolved or closed ticket keeps what its
 * resolution decided; an active one opened before service levels existed has none.
 */
export function followSla(
  before: SlaTicket | null,
  after: Pick<SlaTicket, 'status' | 'priority'>,
  change: SlaChange,
  targets: SlaTargets,
  hours: SupportHours,
): SlaColumns {
  const { now } = change;
  if (before && ended(before.status) && ended(after.status)) return pickColumns(before);
  // Opened before service levels existed: none until a new cycle (reopened once resolved).
  if (before && !ended(before.status) && !before.slaStartedAt) return pickColumns(before);
  const newCycle = !before || ended(before.status);
  const columns: SlaColumns = newCycle
    ? { ...noSlaColumns, slaStartedAt: now }
    : pickColumns(before);
  if (change.staffAnswered && !columns.slaRespondedAt) columns.slaRespondedAt = now;
  if (columns.slaPausedAt && after.status !== 'waiting') {
    columns.slaPausedMinutes += supportMinutesBetween(columns.slaPausedAt, now, hours);
    columns.slaPausedAt = null;
  }
  if (!columns.slaPausedAt && after.status === 'waiting') columns.slaPausedAt = now;
  const start = columns.slaStartedAt ?? now;
  const { first_response: firstResponse, resolution } = targets[after.priority];
  const at = (minutes: number) =>
    addSupportMinutes(start, minutes + columns.slaPausedMinutes, hours);
  columns.firstResponseDueAt = firstResponse === null ? null : at(firstResponse);
  columns.firstResponseWarnAt = firstResponse === null ? null : at(firstResponse * warnShare);
  columns.resolutionDueAt = resolution === null ? null : at(resolution);
  columns.resolutionWarnAt = resolution === null ? null : at(resolution * warnShare);
  return { ...columns, ...stateAt(columns, after.status, now) };
}

/**
 * The ticket's state at `now` as time passes (the SLA job), with the notices now owed: each
 * pending target past its warn instant owes a `warning`, past its due time a `breached`.
 */
export function slaAt(
  ticket: SlaTicket,
  now: Date,
): { columns: SlaColumns; owed: { target: SlaTarget; level: SlaLevel }[] } {
  const columns = { ...pickColumns(ticket), ...stateAt(ticket, ticket.status, now) };
  if (ended(ticket.status) || ticket.slaPausedAt) return { columns: pickColumns(ticket), owed: [] };
  const owed = tracksOf(ticket, null)
    .filter((track) => !track.doneAt)
    .flatMap((track) => [
      ...(now >= track.warnAt ? [{ target: track.target, level: 'warning' as const }] : []),
      ...(now >= track.dueAt ? [{ target: track.target, level: 'breached' as const }] : []),
    ]);
  return { columns, owed };
}

/** Only the SLA columns of a ticket row. */
export function pickColumns(row: SlaColumns): SlaColumns {
  return {
    slaStartedAt: row.slaStartedAt,
    slaPausedMinutes: row.slaPausedMinutes,
    slaPausedAt: row.slaPausedAt,
    slaRespondedAt: row.slaRespondedAt,
    firstResponseDueAt: row.firstResponseDueAt,
    firstResponseWarnAt: row.firstResponseWarnAt,
    resolutionDueAt: row.resolutionDueAt,
    resolutionWarnAt: row.resolutionWarnAt,
    slaState: row.slaState,
    slaCheckAt: row.slaCheckAt,
    slaDueAt: row.slaDueAt,
  };
}
