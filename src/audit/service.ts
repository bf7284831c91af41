import { and, desc, eq, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../db/client.js';
import { reusableStatement } from '../db/statement.js';
import { keyset, type Page } from '../db/keyset.js';
import { auditLog, type AuditRow } from '../db/schema.js';
import type { Clock } from '../platform/clock.js';
import { toAuditEntryDto, type AuditEntryDto } from './schemas.js';

/** What kind of thing a change touched. */
export type AuditEntityType =
  'ticket' | 'message' | 'category' | 'user' | 'ip_ban' | 'settings' | 'canned_reply';

/** One recorded change: who did what to which thing, and its fields before and after. */
export interface AuditEntry {
  actorId: string | null;
  /** `<entity>.<verb>`, e.g. `ticket.status_changed`. */
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  /** The ticket the change belongs to, so it shows in that ticket's history. */
  ticketId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * An entry whose fields may be `sql.placeholder()`s, for a statement built once and run with
 * the values (`db/statement.ts`).
 */
export type AuditEntryTemplate = {
  [Key in keyof AuditEntry]: AuditEntry[Key] | Placeholder | SQL;
};

/** Options of a history list. */
export interface HistoryQuery {
  limit: number;
  cursor?: string;
}

// Newest first; ids are UUIDv7, so they break ties of one millisecond in time order too. One
// order per list, so a cursor of a ticket's history is refused by a user's activity.
const newestFirst = (list: 'history' | 'activity') =>
  keyset({
    name: `${list}:-created_at`,
    descending: true,
    columns: { createdAt: auditLog.createdAt, id: auditLog.id },
  });
const historyOrder = newestFirst('history');
const activityOrder = newestFirst('activity');

/**
 * The fields of `before` and `after` that differ, each side holding only those: what an audit
 * entry of an update records.
 */
export function changedFields<T extends Record<string, unknown>>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T> } | undefined {
  const keys = Object.keys(after).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  if (keys.length === 0) return undefined;
  const pick = (source: T) =>
    Object.fromEntries(keys.map((key) => [key, source[key]])) as Partial<T>;
  return { before: pick(before), after: pick(after) };
}

function omitContent(fields: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!fields) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'content'));
}

/** A message entry without the text it recorded. */
function withoutMessageText(entry: AuditEntryDto): AuditEntryDto {
  if (entry.entity_type !== 'message') return entry;
  return { ...entry, before: omitContent(entry.before), after: omitContent(entry.after) };
}

/**
 * Creates the audit log: the only writer of `audit_log`. Services record each change inside the
 * transaction that makes it, so the log and the data never disagree.
 */
export function createAuditLog(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /**
   * The insert that records `entry`, not yet run: for a change that writes its row and its
   * entry in one statement (`tx.with(…)`, messages/service.ts).
   */
  function insertion(
    tx: Tx | Db,
    entry: AuditEntryTemplate,
    row: {
      /** When it happened; now by default. */
      createdAt?: Date | Placeholder;
      /** The entry's id; a new one by default. A statement built once must pass one. */
      id?: string | Placeholder;
    } = {},
  ) {
    return tx.insert(auditLog).values({
      ...(row.id === undefined ? {} : { id: row.id }),
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      ticketId: entry.ticketId ?? null,
      before: entry.before ?? null,
      after: entry.after ?? null,
      createdAt: row.createdAt ?? clock.now(),
    });
  }

  async function list(
    order: typeof historyOrder,
    where: ReturnType<typeof and>,
    query: HistoryQuery,
  ): Promise<Page<AuditEntryDto>> {
    const rows: AuditRow[] = await db
      .select()
      .from(auditLog)
      .where(and(where, order.after(query.cursor)))
      .orderBy(...order.orderBy())
      .limit(query.limit + 1);
    return order.page(rows, query.limit, toAuditEntryDto);
  }

  // Every change records one: built once (`db/statement.ts`).
  const placeholder = (name: keyof AuditEntry | 'id' | 'createdAt') => sql.placeholder(name);
  const recordStatement = reusableStatement(db, 'audit_record', (on) =>
    insertion(
      on,
      {
        actorId: placeholder('actorId'),
        action: placeholder('action'),
        entityType: placeholder('entityType'),
        entityId: placeholder('entityId'),
        ticketId: placeholder('ticketId'),
        // As text: through the column's encoder a null would become JSON's `null`, not SQL's.
        before: sql`${placeholder('before')}::jsonb`,
        after: sql`${placeholder('after')}::jsonb`,
      },
      { id: placeholder('id'), createdAt: placeholder('createdAt') },
    ),
  );

  return {
    /** Records a change; pass the transaction that makes it. */
    async record(tx: Tx | Db, entry: AuditEntry): Promise<void> {
      await recordStatement(tx, {
        id: uuidv7(),
        actorId: entry.actorId,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        ticketId: entry.ticketId ?? null,
        before: entry.before ? JSON.stringify(entry.before) : null,
        after: entry.after ? JSON.stringify(entry.after) : null,
        createdAt: clock.now(),
      });
    },

    insertion,

    /** True when any change of this kind of thing was ever recorded (read in `executor`). */
    async hasAny(executor: Tx | Db, entityType: AuditEntityType): Promise<boolean> {
      const [row] = await executor
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(eq(auditLog.entityType, entityType))
        .limit(1);
      return row !== undefined;
    },

    /**
     * A ticket's history, newest first: its own changes and its messages'. Without
     * `includeInternal` (for the ticket's author), changes of internal notes are left out and
     * messages' text is not shown: the conversation shows what stands, and text that was edited
     * away or deleted (a card number posted by mistake) must not live on in the history.
     */
    async forTicket(
      ticketId: string,
      query: HistoryQuery & { includeInternal: boolean },
    ): Promise<Page<AuditEntryDto>> {
      if (query.includeInternal) {
        return list(historyOrder, eq(auditLog.ticketId, ticketId), query);
      }
      const visible = sql`not coalesce((${auditLog.after}->>'is_internal')::boolean or (${auditLog.before}->>'is_internal')::boolean, false)`;
      const page = await list(historyOrder, and(eq(auditLog.ticketId, ticketId), visible), query);
      return { ...page, items: page.items.map(withoutMessageText) };
    },

    /**
     * A ticket's latest `limit` status changes, newest first, each with the status it left and
     * the one it took (read in `executor`): a rating names the resolution it is about by its
     * entry (`ratings/resolution-cycle.ts`).
     */
    async statusChanges(
      executor: Tx | Db,
      ticketId: string,
      limit: number,
    ): Promise<{ id: string; at: Date; from: string | null; to: string | null }[]> {
      return executor
        .select({
          id: auditLog.id,
          at: auditLog.createdAt,
          from: sql<string | null>`${auditLog.before}->>'status'`,
          to: sql<string | null>`${auditLog.after}->>'status'`,
        })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.ticketId, ticketId),
            eq(auditLog.entityType, 'ticket'),
            eq(auditLog.action, 'ticket.status_changed'),
          ),
        )
        .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
        .limit(limit);
    },

    /** What a user did and what was done to them (role, block), newest first. */
    forUser(userId: string, query: HistoryQuery): Promise<Page<AuditEntryDto>> {
      return list(
        activityOrder,
        or(
          eq(auditLog.actorId, userId),
          and(eq(auditLog.entityType, 'user'), eq(auditLog.entityId, userId)),
        ),
        query,
      );
    },
  };
}

/** The audit log. */
export type AuditLog = ReturnType<typeof createAuditLog>;
