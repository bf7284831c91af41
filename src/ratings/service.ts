import { and, eq } from 'drizzle-orm';
import type { AuditLog } from '../audit/service.js';
import type { Principal } from '../auth/principal.js';
import { toPlainText } from '../content/plain-text.js';
import type { Db, Tx } from '../db/client.js';
import { ticketRatings, type TicketRatingRow } from '../db/schema.js';
import { Conflict, Forbidden, Invalid } from '../errors.js';
import type { RatingEvent } from '../events/domain-events.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { NotificationService } from '../notifications/service.js';
import type { Clock } from '../platform/clock.js';
import type { TicketRecord } from '../tickets/schemas.js';
import type { TicketService } from '../tickets/service.js';
import { currentCycle, type ResolutionCycle } from './resolution-cycle.js';
import {
  ratingCommentMax,
  ratingWindowMs,
  toRatingDto,
  type RatingDto,
  type RatingInput,
  type TicketRatingDto,
} from './schemas.js';

/** The `rating.saved` event of `rating` on `ticket`, by its customer. */
function ratingEvent(ticket: TicketRecord, rating: RatingDto): RatingEvent {
  return {
    type: 'rating.saved',
    ticket_id: ticket.id,
    ticket_user_id: ticket.userId,
    actor_id: ticket.userId,
    is_internal: false,
    occurred_at: rating.updated_at,
    data: rating,
  };
}

/** The comment to keep: the given one as plain text (empty: none), or the old one if omitted. */
function commentOf(input: RatingInput, existing: TicketRatingRow | undefined): string | null {
  if (input.comment === undefined) return existing?.comment ?? null;
  if (input.comment === null) return null;
  const text = toPlainText(input.comment, 'comment');
  if (text.length > ratingCommentMax) {
    throw new Invalid('Some fields are invalid', [
      { field: 'comment', message: `must be at most ${ratingCommentMax} characters` },
    ]);
  }
  return text || null;
}

/**
 * Creates the ratings service (CSAT): the only writer of `ticket_ratings`. A ticket's customer
 * rates each resolution of it once, 1 to 5 with an optional comment, and may change the rating
 * for a day after first giving it (by `clock`). Each new or changed rating tells the assignee
 * (and admins when it is low) through the notifications service in the same unit of work, and
 * raises `rating.saved` so open views of the ticket refresh.
 */
export function createRatingService(deps: {
  db: Db;
  uow: UnitOfWork;
  clock: Clock;
  audit: Pick<AuditLog, 'statusChanges'>;
  tickets: Pick<TicketService, 'visible' | 'snapshot'>;
  notifications: Pick<NotificationService, 'ticketRated'>;
}) {
  const { db, uow, clock, audit, tickets, notifications } = deps;

  /** The resolution that may be rated now, read in `executor` (`resolution-cycle.ts`). */
  async function cycleOf(executor: Db | Tx, ticket: Pick<TicketRecord, 'id' | 'status'>) {
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') return null;
    return currentCycle(ticket.status, await audit.statusChanges(executor, ticket.id, 2));
  }

  /** The rating of `cycle`, locked for the change when `lock`. */
  async function ratingOf(
    executor: Db | Tx,
    ticketId: string,
    cycle: ResolutionCycle,
    lock = false,
  ): Promise<TicketRatingRow | undefined> {
    const query = executor
      .select()
      .from(ticketRatings)
      .where(and(eq(ticketRatings.ticketId, ticketId), eq(ticketRatings.resolutionId, cycle.id)));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  /** Whether a rating given at `createdAt` may still change now. */
  const changeable = (row: TicketRatingRow | undefined) =>
    !row || clock.now().getTime() < row.createdAt.getTime() + ratingWindowMs;

  return {
    /**
     * The current resolution's rating of a ticket the caller may see (404 otherwise), and
     * whether the caller may rate it now.
     */
    async current(actor: Principal, ticketId: string): Promise<TicketRatingDto> {
      const ticket = await tickets.visible(db, actor, ticketId);
      const cycle = await cycleOf(db, ticket);
      const row = cycle ? await ratingOf(db, ticket.id, cycle) : undefined;
      return {
        rating: row ? toRatingDto(row) : null,
        can_rate: cycle !== null && ticket.userId === actor.userId && changeable(row),
      };
    },

    /**
     * Rates the current resolution of the caller's ticket, or changes its rating. Someone else's
     * ticket is 404 (as everywhere); staff rating a customer's ticket 403; a ticket not resolved
     * (nor closed after a resolution) 409 `not_resolved`; a rating first given a day ago or more
     * 409 `rating_final`. Saving what is already there changes nothing and tells nobody.
     */
    async rate(actor: Principal, ticketId: string, input: RatingInput): Promise<RatingDto> {
      return uow.run(async (work) => {
        const { tx } = work;
        const ticket = await tickets.visible(tx, actor, ticketId, true);
        if (ticket.userId !== actor.userId) {
          throw new Forbidden('Only the ticket’s customer rates it', 'not_the_customer');
        }
        const cycle = await cycleOf(tx, ticket);
        if (!cycle) {
          throw new Conflict('Only a resolved ticket can be rated', 'not_resolved');
        }
        const existing = await ratingOf(tx, ticket.id, cycle, true);
        if (!changeable(existing)) {
          throw new Conflict(
            'A rating can be changed for a day after it was given',
            'rating_final',
          );
        }
        const comment = commentOf(input, existing);
        if (existing && existing.score === input.score && existing.comment === comment) {
          return toRatingDto(existing);
        }
        const now = clock.now();
        const [row] = existing
          ? await tx
              .update(ticketRatings)
              .set({ score: input.score, comment, updatedAt: now })
              .where(eq(ticketRatings.id, existing.id))
              .returning()
          : await tx
              .insert(ticketRatings)
              .values({
                ticketId: ticket.id,
                resolutionId: cycle.id,
                resolvedAt: cycle.resolvedAt,
                userId: actor.userId,
                score: input.score,
                comment,
                createdAt: now,
                updatedAt: now,
              })
              .returning();
        if (!row) throw new Error('the rating was not written');
        const rating = toRatingDto(row);
        work.raise(ratingEvent(ticket, rating));
        await notifications.ticketRated(work, ticket, { score: row.score, comment: row.comment });
        return rating;
      });
    },

    /**
     * Whether a notice should ask its recipient to rate (`notifications/deliver-notification.ts`):
     * a status notice to the ticket's customer written after the resolution now open to rating,
     * while the ticket stays resolved and its rating can still be given or changed. A notice
     * held by quiet hours while the ticket was reopened asks nothing.
     */
    async asks(notice: { ticketId: string; userId: string; createdAt: Date }): Promise<boolean> {
      const ticket = await tickets.snapshot(notice.ticketId);
      if (ticket?.user_id !== notice.userId || ticket.status !== 'resolved') return false;
      const cycle = await cycleOf(db, ticket);
      if (!cycle || cycle.resolvedAt > notice.createdAt) return false;
      return changeable(await ratingOf(db, ticket.id, cycle));
    },
  };
}

/** The ratings service. */
export type RatingService = ReturnType<typeof createRatingService>;
