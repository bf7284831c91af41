import { and, count, eq, inArray, lte, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { changedFields, type AuditLog, type HistoryQuery } from '../audit/service.js';
import type { AuditEntryDto } from '../audit/schemas.js';
import { can, isStaff } from '../auth/permissions.js';
import type { Principal } from '../auth/service.js';
import type { CategoryService } from '../categories/service.js';
import { requiredPlainText } from '../content/plain-text.js';
import type { Db, Tx } from '../db/client.js';
import type { FileService } from '../files/service.js';
import type { Page } from '../db/keyset.js';
import type { CustomerTopicService } from '../customer-topics/service.js';
import { instantPlaceholder, instantValue, reusableStatement } from '../db/statement.js';
import { tickets, type TicketStatus } from '../db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.js';
import type { FieldChange, TicketChangeEvent, TicketEvent } from '../events/domain-events.js';
import type { UnitOfWork, Work } from '../events/unit-of-work.js';
import type { NotificationService } from '../notifications/service.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import { slaShownTo } from '../sla/schemas.js';
import type { SlaService } from '../sla/service.js';
import { noSlaColumns } from '../sla/sla-state.js';
import type { TicketChannel } from '../stats/schemas.js';
import type { StatsRecorder } from '../stats/recorder.js';
import type { UserService } from '../users/service.js';
import { ticketsAwaitingStaffAnswer } from './awaiting-answer.js';
import type { TicketCountsCache } from './counts-cache.js';
import { hasMessageSince, idleResolvedTickets } from './idle-resolved.js';
import { createTicketQueries, ticketColumns, visibleTo } from './queries.js';
import {
  toTicketDto,
  type TicketDto,
  type TicketInput,
  type TicketListQuery,
  type TicketPatch,
  type TicketRecord,
} from './schemas.js';
import { activeStatuses, authorMayChange, canTransition, refuseClosed } from './ticket-status.js';

/** The ticket as `actor` may see it (customers: without service levels). */
function shown(actor: Principal, ticket: TicketDto): TicketDto {
  return slaShownTo(can(actor.role, 'tickets.read_all'), ticket);
}

/** A ticket opened or deleted, for subscribers (realtime, notifications). */
function ticketEvent(
  type: TicketEvent['type'],
  ticket: TicketDto,
  actor: Principal,
  occurredAt = ticket.updated_at,
): TicketEvent {
  return {
    type,
    ticket_id: ticket.id,
    ticket_user_id: ticket.user_id,
    actor_id: actor.userId,
    is_internal: false,
    occurred_at: occurredAt,
    data: ticket,
  };
}

/** A ticket changed, with the fields that moved. */
function ticketChangeEvent(
  type: TicketChangeEvent['type'],
  ticket: TicketDto,
  actorId: string | null,
  changes: Record<string, FieldChange>,
): TicketChangeEvent {
  return {
    type,
    ticket_id: ticket.id,
    ticket_user_id: ticket.user_id,
    actor_id: actorId,
    is_internal: false,
    occurred_at: ticket.updated_at,
    data: ticket,
    changes,
  };
}

function withoutUpdatedAt(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'updated_at'));
}

/** Without the SLA, which follows from the change (`sla/`) rather than being one. */
function withoutSla(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'sla'));
}

function asChanges(diff: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}): Record<string, FieldChange> {
  return Object.fromEntries(
    Object.keys(diff.after).map((key) => [key, { from: diff.before[key], to: diff.after[key] }]),
  );
}

/**
 * Creates the tickets service: the only writer of `tickets`, and the one place their rules
 * live, for the HTTP API and the bot alike. Each change is written with its audit entry in one
 * unit of work, whose domain events are published once it has committed.
 */
export function createTicketService(deps: {
  db: Db;
  uow: UnitOfWork;
  clock: Clock;
  audit: AuditLog;
  categories: CategoryService;
  users: UserService;
  notifications: NotificationService;
  files: FileService;
  /** Where the first-response time is recorded (none: not recorded). */
  metrics?: Pick<Metrics, 'firstResponse'>;
  /** Where counts are kept between changes (none: counted on every call). */
  countsCache?: TicketCountsCache;
  /** Where a new ticket's topic in its author's chat is owed (none: no bot, no topics). */
  customerTopics?: Pick<CustomerTopicService, 'ticketOpened'>;
  /** Service level targets kept with every change (none: tickets carry no SLA). */
  sla?: SlaService;
  /** The statistics' cycle facts kept with every change (none: no statistics). */
  stats?: StatsRecorder;
}) {
  const { db, uow, clock, audit, categories, users, notifications, files, metrics } = deps;
  const { countsCache } = deps;
  const queries = createTicketQueries(db, countsCache);
  // What each notice's delivery reads (a job, per notice): built once and prepared.
  const numberById = db
    .select({ number: tickets.number })
    .from(tickets)
    .where(eq(tickets.id, sql.placeholder('id')))
    .prepare('tickets_number_by_id');
  // A new ticket's row, built once (`db/statement.ts`): 0.4 ms of the server's time per ticket
  // when built anew (bench/load.ts). Its instants go as ISO text, which may be null.
  const insertTicket = reusableStatement(db, 'tickets_insert', (on) => {
    const value = (name: string) => sql.placeholder(name);
    const instant = instantPlaceholder;
    return on
      .insert(tickets)
      .values({
        id: value('id'),
        userId: value('user'),
        categoryId: value('category'),
        title: value('title'),
        description: value('description'),
        priority: value('priority'),
        channel: value('channel'),
        createdAt: instant('now'),
        updatedAt: instant('now'),
        slaStartedAt: instant('slaStartedAt'),
        slaPausedMinutes: value('slaPausedMinutes'),
        slaPausedAt: instant('slaPausedAt'),
        slaRespondedAt: instant('slaRespondedAt'),
        firstResponseDueAt: instant('firstResponseDueAt'),
        firstResponseWarnAt: instant('firstResponseWarnAt'),
        resolutionDueAt: instant('resolutionDueAt'),
        resolutionWarnAt: instant('resolutionWarnAt'),
        slaState: value('slaState'),
        slaCheckAt: instant('slaCheckAt'),
        slaDueAt: instant('slaDueAt'),
      })
      .returning(ticketColumns);
  });
  /** Empties the counts once `work` commits a ticket change (other processes: by its event). */
  const countsMoved = (work: Work) => {
    if (countsCache) work.afterCommit(() => countsCache.clear(), 'ticket-counts');
  };

  /**
   * Runs one change of one ticket in a unit of work with the ticket row locked. `edit` returns
   * the ticket after the change.
   */
  async function change(
    actor: Principal,
    id: string,
    edit: (work: Work, current: TicketRecord) => Promise<TicketRecord>,
  ): Promise<TicketDto> {
    const ticket = await uow.run(async (work) =>
      edit(work, await queries.visible(work.tx, actor, id, true)),
    );
    return shown(actor, toTicketDto(ticket));
  }

  /**
   * Writes `set` to the ticket and its audit entry, raises its event; the new row. The actor is
   * null for the system (auto-close).
   */
  async function apply(
    work: Work,
    actor: Pick<Principal, 'userId'> | null,
    current: TicketRecord,
    action: TicketChangeEvent['type'],
    set: Partial<TicketRecord>,
  ): Promise<TicketRecord> {
    const { tx } = work;
    const now = set.updatedAt ?? clock.now();
    const next = {
      status: set.status ?? current.status,
      priority: set.priority ?? current.priority,
    };
    const slaSet = deps.sla ? await deps.sla.follow(tx, current, next, { now }) : {};
    const [row] = await tx
      .update(tickets)
      .set({ updatedAt: now, ...set, ...slaSet })
      .where(eq(tickets.id, current.id))
      .returning(ticketColumns);
    if (!row) throw new NotFound('Ticket not found');
    await deps.stats?.follow(tx, current, row, { now });
    const diff = changedFields(
      toTicketDto(current) as Record<string, unknown>,
      toTicketDto(row) as Record<string, unknown>,
    );
    // updated_at moves on every change; the entry records what the change was about.
    const before = withoutSla(withoutUpdatedAt(diff?.before));
    const after = withoutSla(withoutUpdatedAt(diff?.after));
    const actorId = actor?.userId ?? null;
    await audit.record(tx, {
      actorId,
      action,
      entityType: 'ticket',
      entityId: row.id,
      ticketId: row.id,
      before,
      after,
    });
    countsMoved(work);
    work.raise(ticketChangeEvent(action, toTicketDto(row), actorId, asChanges({ before, after })));
    return row;
  }

  /** The status the ticket moves to and the fields that go with it. */
  function statusFields(from: TicketStatus, to: TicketStatus, now: Date): Partial<TicketRecord> {
    if (to === 'closed') return { status: to, closedAt: now };
    return from === 'closed' ? { status: to, closedAt: null } : { status: to };
  }

  /** Tickets whose SLA must be looked at again by `now`, soonest first, through its index. */
  function slaCheckQuery(now: Date, limit: number) {
    return db
      .select({ id: tickets.id })
      .from(tickets)
      .where(lte(tickets.slaCheckAt, now))
      .orderBy(tickets.slaCheckAt)
      .limit(limit);
  }

  return {
    ...queries,

    /** The SLA job's query, unexecuted (the EXPLAIN test inspects its plan). */
    slaCheckQuery,

    /** Tickets whose customer waits for a staff answer (`awaiting-answer.ts`; reminders). */
    awaitingStaffAnswer: ticketsAwaitingStaffAnswer,

    /** The ticket's short number, or null when it is gone (no visibility check: for jobs). */
    async numberOf(id: string): Promise<number | null> {
      const [row] = await numberById.execute({ id });
      return row?.number ?? null;
    },

    /**
     * The ticket, or null when it is gone (no visibility check: for jobs, the staff group's
     * outbox and the customer's topic card).
     */
    async snapshot(id: string): Promise<TicketDto | null> {
      const [row] = await db.select(ticketColumns).from(tickets).where(eq(tickets.id, id));
      return row ? toTicketDto(row) : null;
    },

    /** Tickets in an active status, by priority (the backlog gauge; no visibility check). */
    async activeCountsByPriority(): Promise<Record<string, number>> {
      const rows = await db
        .select({ priority: tickets.priority, count: count() })
        .from(tickets)
        .where(inArray(tickets.status, [...activeStatuses]))
        .groupBy(tickets.priority);
      return Object.fromEntries(rows.map((row) => [row.priority, row.count]));
    },

    /** The ticket if the caller may see it, else 404. */
    async get(actor: Principal, id: string): Promise<TicketDto> {
      return shown(actor, toTicketDto(await queries.visible(db, actor, id)));
    },

    /** The ticket with this number if the caller may see it, else 404 (the bot's `ticket_123`). */
    async getByNumber(actor: Principal, number: number): Promise<TicketDto> {
      const [row] = await db
        .select(ticketColumns)
        .from(tickets)
        .where(and(eq(tickets.number, number), visibleTo(actor)));
      if (!row) throw new NotFound('Ticket not found');
      return shown(actor, toTicketDto(row));
    },

    /** A user's tickets: for staff, or the user themself; anyone else gets 404. */
    async listForUser(
      actor: Principal,
      userId: string,
      query: Omit<TicketListQuery, 'user_id'>,
    ): Promise<Page<TicketDto>> {
      if (actor.userId !== userId && !isStaff(actor.role)) throw new NotFound('User not found');
      await users.getById(userId);
      return queries.list(actor, { ...query, user_id: userId });
    },

    /**
     * Opens a ticket in an active category for the caller, recording where it was opened
     * (`channel`: the bot says `telegram`, the API route `mini_app` or `api`).
     */
    async create(
      actor: Principal,
      input: TicketInput,
      channel: TicketChannel = 'api',
    ): Promise<TicketDto> {
      const title = requiredPlainText(input.title, 'title');
      const description = requiredPlainText(input.description, 'description');
      return uow.run(async (work) => {
        const { tx } = work;
        await categories.requireActive(tx, input.category_id);
        const now = clock.now();
        const sla = deps.sla
          ? await deps.sla.follow(tx, null, { status: 'open', priority: input.priority }, { now })
          : noSlaColumns;
        const [row] = await insertTicket(tx, {
          id: uuidv7(),
          user: actor.userId,
          category: input.category_id,
          title,
          description,
          priority: input.priority,
          channel,
          now: now.toISOString(),
          slaStartedAt: instantValue(sla.slaStartedAt),
          slaPausedMinutes: sla.slaPausedMinutes,
          slaPausedAt: instantValue(sla.slaPausedAt),
          slaRespondedAt: instantValue(sla.slaRespondedAt),
          firstResponseDueAt: instantValue(sla.firstResponseDueAt),
          firstResponseWarnAt: instantValue(sla.firstResponseWarnAt),
          resolutionDueAt: instantValue(sla.resolutionDueAt),
          resolutionWarnAt: instantValue(sla.resolutionWarnAt),
          slaState: sla.slaState,
          slaCheckAt: instantValue(sla.slaCheckAt),
          slaDueAt: instantValue(sla.slaDueAt),
        });
        if (!row) throw new Error('insert returned no row');
        await deps.stats?.follow(tx, null, row, { now });
        await files.attachToTicket(tx, actor, row.id, input.attachment_ids ?? []);
        const dto = toTicketDto(row);
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'ticket.created',
          entityType: 'ticket',
          entityId: row.id,
          ticketId: row.id,
          after: dto,
        });
        countsMoved(work);
        work.raise(ticketEvent('ticket.created', dto, actor));
        await notifications.ticketCreated(work, row, actor.userId);
        await deps.customerTopics?.ticketOpened(work, row);
        return shown(actor, dto);
      });
    },

    /**
     * Edits a ticket that is not closed: its author may change title, description and
     * priority; staff may change priority and category. Anything else is 403.
     */
    async update(actor: Principal, id: string, patch: TicketPatch): Promise<TicketDto> {
      return change(actor, id, async (work, current) => {
        const isAuthor = current.userId === actor.userId;
        const staff = isStaff(actor.role);
        const forbidden = Object.keys(patch).filter((field) => {
          if (field === 'priority') return !isAuthor && !staff;
          if (field === 'category_id') return !staff;
          return !isAuthor;
        });
        if (forbidden.length > 0) {
          throw new Forbidden(`You may not change ${forbidden.join(', ')} of this ticket`);
        }
        refuseClosed(current);
        if (patch.category_id && patch.category_id !== current.categoryId) {
          await categories.requireActive(work.tx, patch.category_id);
        }
        const set: Partial<TicketRecord> = {
          ...(patch.title === undefined ? {} : { title: requiredPlainText(patch.title, 'title') }),
          ...(patch.description === undefined
            ? {}
            : { description: requiredPlainText(patch.description, 'description') }),
          ...(patch.priority ? { priority: patch.priority } : {}),
          ...(patch.category_id ? { categoryId: patch.category_id } : {}),
        };
        const unchanged = Object.entries(set).every(
          ([key, value]) => current[key as keyof TicketRecord] === value,
        );
        if (unchanged) return current;
        return apply(work, actor, current, 'ticket.updated', set);
      });
    },

    /** Assigns the ticket to an active agent-or-above user, or unassigns it (staff). */
    async assign(actor: Principal, id: string, assigneeId: string | null): Promise<TicketDto> {
      if (!can(actor.role, 'tickets.assign')) throw new Forbidden('Only staff assign tickets');
      return change(actor, id, async (work, current) => {
        if (assigneeId && !(await users.isActiveStaff(work.tx, assigneeId))) {
          throw new Invalid('Tickets go to staff only', [
            { field: 'assigned_to', message: 'must be an active agent or above' },
          ]);
        }
        refuseClosed(current);
        if (current.assignedTo === assigneeId) return current;
        const ticket = await apply(work, actor, current, 'ticket.assigned', {
          assignedTo: assigneeId,
        });
        await notifications.ticketAssigned(work, ticket, actor.userId);
        return ticket;
      });
    },

    /**
     * Moves the ticket along the state machine (`ticket-status.ts`): staff freely, the author
     * only to close or reopen. A move the machine forbids is 409; the same status is a no-op.
     */
    async changeStatus(actor: Principal, id: string, status: TicketStatus): Promise<TicketDto> {
      return change(actor, id, async (work, current) => {
        const from = current.status;
        if (from === status) return current;
        const allowed =
          can(actor.role, 'tickets.change_status') ||
          (current.userId === actor.userId && authorMayChange(from, status));
        if (!allowed) throw new Forbidden('You may close or reopen your ticket, nothing else');
        if (!canTransition(from, status)) {
          throw new Conflict(
            from === 'closed'
              ? 'A closed ticket can only be reopened'
              : `A ticket cannot go from ${from} to ${status}`,
            'invalid_transition',
          );
        }
        const ticket = await apply(
          work,
          actor,
          current,
          'ticket.status_changed',
          statusFields(from, status, clock.now()),
        );
        await notifications.statusChanged(work, ticket, actor.userId);
        return ticket;
      });
    },

    /**
     * Closes, as the system, resolved tickets nobody has touched since `idleSince` (no change and
     * no message: a customer's reply would have reopened them), through the same change as a
     * staff member's close: audit entry, `ticket.status_changed`, and the customer told why
     * (`afterDays`). At most `limit` per call, oldest first, each in its own unit of work;
     * resolves to how many were closed.
     */
    async closeIdleResolved(idleSince: Date, afterDays: number, limit: number): Promise<number> {
      const due = await idleResolvedTickets(db, idleSince, limit);
      let closed = 0;
      for (const id of due) {
        const done = await uow.run(async (work) => {
          const [current] = await work.tx
            .select(ticketColumns)
            .from(tickets)
            .where(eq(tickets.id, id))
            .for('update');
          // Reopened or changed since it was found: no longer idle.
          if (current?.status !== 'resolved' || current.updatedAt >= idleSince) return false;
          if (await hasMessageSince(work.tx, id, idleSince)) return false;
          const ticket = await apply(
            work,
            null,
            current,
            'ticket.status_changed',
            statusFields('resolved', 'closed', clock.now()),
          );
          await notifications.autoClosed(work, ticket, afterDays);
          return true;
        });
        if (done) closed += 1;
      }
      return closed;
    },

    /**
     * Moves the SLA state of tickets whose next check is due (`sla_check_at <= now`, through
     * its index) as time passes: to `warning` at 80 % of a target, `breached` at 100 %, with
     * the notices owed (`sla/service.ts`), and raises `ticket.updated` so open views refresh.
     * At most `limit` per call, each in its own unit of work; resolves to how many it looked at.
     */
    async recheckSla(limit: number): Promise<number> {
      const sla = deps.sla;
      if (!sla) return 0;
      const now = clock.now();
      const due = await slaCheckQuery(now, limit);
      for (const { id } of due) {
        await uow.run(async (work) => {
          const [current] = await work.tx
            .select(ticketColumns)
            .from(tickets)
            .where(eq(tickets.id, id))
            .for('update');
          // Changed since it was found: its change already set the next check.
          if (!current?.slaCheckAt || current.slaCheckAt > now) return;
          const set = await sla.recheck(work, current, now);
          const [row] = await work.tx
            .update(tickets)
            .set(set)
            .where(eq(tickets.id, id))
            .returning(ticketColumns);
          if (!row || row.slaState === current.slaState) return;
          const before = toTicketDto(current);
          const after = toTicketDto(row);
          work.raise(
            ticketChangeEvent('ticket.updated', after, null, {
              sla: { from: before.sla, to: after.sla },
            }),
          );
        });
      }
      return due.length;
    },

    /** Deletes the ticket with its messages (admins). */
    async remove(actor: Principal, id: string): Promise<void> {
      if (!can(actor.role, 'tickets.delete')) throw new Forbidden('Only admins delete tickets');
      await uow.run(async (work) => {
        const { tx } = work;
        const current = await queries.visible(tx, actor, id, true);
        // The rows go with the ticket; the stored bytes are removed once that has committed.
        const blobKeys = await files.blobKeysOfTicket(tx, id);
        await tx.delete(tickets).where(eq(tickets.id, id));
        const dto = toTicketDto(current);
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'ticket.deleted',
          entityType: 'ticket',
          entityId: id,
          ticketId: id,
          before: dto,
        });
        work.afterCommit(() => files.deleteBlobs(blobKeys));
        countsMoved(work);
        work.raise(ticketEvent('ticket.deleted', dto, actor, clock.now().toISOString()));
      });
    },

    /** The ticket's recorded changes, newest first; internal notes' only for staff. */
    async history(actor: Principal, id: string, query: HistoryQuery): Promise<Page<AuditEntryDto>> {
      await queries.visible(db, actor, id);
      return audit.forTicket(id, { ...query, includeInternal: isStaff(actor.role) });
    },

    /**
     * True when all a new message does to its ticket is move the activity time: a public
     * message that neither reopens the ticket (its author's reply to a waiting or resolved one)
     * nor answers it as staff (`noteMessage` records those). False otherwise, and for an internal
     * note, which changes nothing. The message's insert then carries the ticket's `activityTouch`
     * in one statement (`tx.with(…)`, messages/service.ts) instead of a round trip of its own
     * while the ticket's row is locked, and the caller skips `noteMessage`.
     */
    touchesActivityOnly(
      actor: Principal,
      ticket: TicketRecord,
      message: { isInternal: boolean },
    ): boolean {
      if (message.isInternal) return false;
      const authorReply = ticket.userId === actor.userId;
      if (authorReply && (ticket.status === 'waiting' || ticket.status === 'resolved')) {
        return false;
      }
      return !(isStaff(actor.role) && !authorReply);
    },

    /**
     * The update that moves ticket `id`'s activity time to `at`, not yet run (for a statement
     * built once, `id` a `sql.placeholder()` and `at` an `instantPlaceholder()`): see
     * `touchesActivityOnly`.
     */
    activityTouch(on: Db | Tx, id: string | Placeholder, at: Date | SQL) {
      return on
        .update(tickets)
        .set({ updatedAt: at })
        .where(eq(tickets.id, id))
        .returning({ id: tickets.id });
    },

    /**
     * Called by the messages service inside its transaction when a message is added: the
     * ticket's activity time moves, staff's first public answer is recorded, and the author's
     * reply to a waiting or resolved ticket reopens it (raising `ticket.status_changed` in
     * `work`); internal notes change nothing.
     */
    async noteMessage(
      work: Work,
      actor: Principal,
      ticket: TicketRecord,
      message: { isInternal: boolean; createdAt: Date },
    ): Promise<void> {
      // A staff-only note changes nothing the author can see, not even the activity time.
      if (message.isInternal) return;
      const now = message.createdAt;
      const authorReply = ticket.userId === actor.userId;
      if (authorReply && (ticket.status === 'waiting' || ticket.status === 'resolved')) {
        await apply(work, actor, ticket, 'ticket.status_changed', {
          status: 'open',
          updatedAt: now,
        });
        return;
      }
      const staffAnswer = isStaff(actor.role) && !authorReply;
      const firstAnswer = staffAnswer && !ticket.firstResponseAt;
      // The first public answer of the SLA cycle meets (or misses) the first response target.
      const slaSet =
        deps.sla && staffAnswer && !ticket.slaRespondedAt
          ? await deps.sla.follow(work.tx, ticket, ticket, { now, staffAnswered: true })
          : {};
      const [row] = await work.tx
        .update(tickets)
        .set({ updatedAt: now, ...(firstAnswer ? { firstResponseAt: now } : {}), ...slaSet })
        .where(eq(tickets.id, ticket.id))
        .returning(ticketColumns);
      if (staffAnswer && row) {
        await deps.stats?.follow(work.tx, ticket, row, { now, answeredBy: actor.userId });
      }
      if (firstAnswer && metrics) {
        const seconds = (now.getTime() - ticket.createdAt.getTime()) / 1000;
        work.afterCommit(() => metrics.firstResponse.observe(Math.max(0, seconds)));
      }
    },
  };
}

/** The tickets service. */
export type TicketService = ReturnType<typeof createTicketService>;
