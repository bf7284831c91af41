import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { instantPlaceholder, instantValue, reusableStatement } from '../db/statement.js';
import { ticketCycles, type TicketStatus } from '../db/schema.js';
import type { SettingsService } from '../settings/service.js';
import { supportMinutesBetween } from '../sla/support-time.js';
import type { TicketChannel } from './schemas.js';

/** What the recorder reads of a ticket before and after a change. */
export interface CycleTicket {
  id: string;
  status: TicketStatus;
  priority: 'low' | 'normal' | 'high' | 'critical';
  categoryId: string;
  assignedTo: string | null;
  channel: TicketChannel;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

/** What happened at `now`, beyond the ticket's columns. */
export interface CycleChange {
  now: Date;
  /** A staff member answered the customer publicly just now. */
  answeredBy?: string;
}

const ended = (status: TicketStatus) => status === 'resolved' || status === 'closed';
const sameTime = (a: Date | null, b: Date | null) => a?.getTime() === b?.getTime();

/**
 * Creates the stats recorder: keeps `ticket_cycles` (the facts the figures read) in the
 * transaction of each ticket change, called by the tickets service as it writes (like the SLA's
 * `follow`). A change costs one read of the ticket's latest cycle by its key and one write;
 * support-hours durations are worked out here, once, so no query computes them.
 */
export function createStatsRecorder(deps: { db: Db; settings: Pick<SettingsService, 'current'> }) {
  const { db, settings } = deps;

  // Every new ticket's first cycle: built once (`db/statement.ts`).
  const at = instantPlaceholder;
  const firstCycle = reusableStatement(db, 'ticket_cycles_first', (on) =>
    on.insert(ticketCycles).values({
      ticketId: sql.placeholder('ticket'),
      seq: 1,
      startedAt: at('now'),
      firstResponseDueAt: at('firstResponseDue'),
      resolutionDueAt: at('resolutionDue'),
      categoryId: sql.placeholder('category'),
      priority: sql.placeholder('priority'),
      assignedTo: sql.placeholder('assignee'),
      channel: sql.placeholder('channel'),
    }),
  );

  /** Support-hours seconds between two instants on the saved support hours. */
  async function supportSeconds(tx: Tx, from: Date, to: Date): Promise<number> {
    const { support_hours: hours } = await settings.current(tx);
    return Math.round(supportMinutesBetween(from, to, hours) * 60);
  }

  const dims = (ticket: CycleTicket) => ({
    categoryId: ticket.categoryId,
    priority: ticket.priority,
    assignedTo: ticket.assignedTo,
    channel: ticket.channel,
  });

  /** What changes in the ticket's latest cycle (`latest`) with this change. */
  async function changesOf(
    tx: Tx,
    latest: typeof ticketCycles.$inferSelect,
    before: CycleTicket,
    after: CycleTicket,
    change: CycleChange,
  ): Promise<Partial<typeof ticketCycles.$inferInsert>> {
    const { now } = change;
    const set: Partial<typeof ticketCycles.$inferInsert> = {};
    if (after.status === 'closed' && before.status !== 'closed' && !latest.closedAt) {
      set.closedAt = now;
    }
    // An ended cycle keeps what its end decided.
    if (latest.endedAt !== null) return set;
    // A first response decided keeps the due time it was decided against (a later pause moves
    // the SLA's due times, `sla/sla-state.ts`, but not what was already met or missed).
    const answered = latest.firstResponseAt !== null;
    if (!answered && !sameTime(latest.firstResponseDueAt, after.firstResponseDueAt)) {
      set.firstResponseDueAt = after.firstResponseDueAt;
    }
    if (!sameTime(latest.resolutionDueAt, after.resolutionDueAt)) {
      set.resolutionDueAt = after.resolutionDueAt;
    }
    if (change.answeredBy && latest.firstResponseAt === null) {
      set.firstResponseAt = now;
      set.firstResponderId = change.answeredBy;
      set.firstResponseSupportS = await supportSeconds(tx, latest.startedAt, now);
    }
    let waitingS = latest.waitingSupportS;
    if (latest.waitingSince && after.status !== 'waiting') {
      waitingS += await supportSeconds(tx, latest.waitingSince, now);
      set.waitingSince = null;
      set.waitingSupportS = waitingS;
    }
    if (!latest.waitingSince && after.status === 'waiting') set.waitingSince = now;
    if (ended(after.status)) {
      set.endedAt = now;
      set.endedAssignee = after.assignedTo;
      const total = await supportSeconds(tx, latest.startedAt, now);
      set.resolutionSupportS = Math.max(0, total - waitingS);
    }
    return set;
  }

  return {
    /** Records `before` (null: just opened) becoming `after` at `change.now`, in `tx`. */
    async follow(
      tx: Tx,
      before: CycleTicket | null,
      after: CycleTicket,
      change: CycleChange,
    ): Promise<void> {
      const { now } = change;
      const dues = {
        firstResponseDueAt: after.firstResponseDueAt,
        resolutionDueAt: after.resolutionDueAt,
      };
      if (!before) {
        await firstCycle(tx, {
          ticket: after.id,
          now: now.toISOString(),
          firstResponseDue: instantValue(dues.firstResponseDueAt),
          resolutionDue: instantValue(dues.resolutionDueAt),
          category: after.categoryId,
          priority: after.priority,
          assignee: after.assignedTo,
          channel: after.channel,
        });
        return;
      }
      const dimsMoved =
        before.categoryId !== after.categoryId ||
        before.priority !== after.priority ||
        before.assignedTo !== after.assignedTo;
      if (dimsMoved) {
        await tx.update(ticketCycles).set(dims(after)).where(eq(ticketCycles.ticketId, after.id));
      }
      const [latest] = await tx
        .select()
        .from(ticketCycles)
        .where(eq(ticketCycles.ticketId, after.id))
        .orderBy(desc(ticketCycles.seq))
        .limit(1);
      if (ended(before.status) && !ended(after.status)) {
        await tx.insert(ticketCycles).values({
          ticketId: after.id,
          seq: (latest?.seq ?? 0) + 1,
          startedAt: now,
          waitingSince: after.status === 'waiting' ? now : null,
          ...dues,
          ...dims(after),
        });
        return;
      }
      if (!latest) return;
      const set = await changesOf(tx, latest, before, after, change);
      if (Object.keys(set).length === 0) return;
      await tx
        .update(ticketCycles)
        .set(set)
        .where(and(eq(ticketCycles.ticketId, after.id), eq(ticketCycles.seq, latest.seq)));
    },
  };
}

/** The stats recorder. */
export type StatsRecorder = ReturnType<typeof createStatsRecorder>;
