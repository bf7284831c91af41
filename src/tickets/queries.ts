import {
  and,
  count,
  eq,
  getTableColumns,
  gte,
  inArray,
  isNull,
  lt,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { Principal } from '../auth/service.js';
import { can } from '../auth/permissions.js';
import type { Db, Tx } from '../db/client.js';
import { keyset, type KeysetOrder, type Page } from '../db/keyset.js';
import { reusableStatement } from '../db/statement.js';
import { ticketCounts, tickets, ticketStatuses, type TicketStatus } from '../db/schema.js';
import { Forbidden, NotFound } from '../errors.js';
import {
  toTicketDto,
  type TicketCounts,
  type TicketDto,
  type TicketFilters,
  type TicketListQuery,
  type TicketRecord,
  type TicketSort,
} from './schemas.js';
import type { TicketCountsCache } from './counts-cache.js';
import { ticketSearchCondition } from './search.js';
import { slaShownTo } from '../sla/schemas.js';

/** Every column but the search document, which nobody needs to read back. */
const { searchVector: _searchDocument, ...ticketColumns } = getTableColumns(tickets);
export { ticketColumns };

/** The sorts of the list, each a keyset order ending in the unique id (see `db/keyset.ts`). */
const orders: Record<TicketSort, KeysetOrder> = {
  created_at: {
    name: 'tickets:created_at',
    descending: false,
    columns: { createdAt: tickets.createdAt, id: tickets.id },
  },
  '-created_at': {
    name: 'tickets:-created_at',
    descending: true,
    columns: { createdAt: tickets.createdAt, id: tickets.id },
  },
  updated_at: {
    name: 'tickets:updated_at',
    descending: false,
    columns: { updatedAt: tickets.updatedAt, id: tickets.id },
  },
  '-updated_at': {
    name: 'tickets:-updated_at',
    descending: true,
    columns: { updatedAt: tickets.updatedAt, id: tickets.id },
  },
  priority: {
    name: 'tickets:priority',
    descending: false,
    columns: { priority: tickets.priority, createdAt: tickets.createdAt, id: tickets.id },
  },
  '-priority': {
    name: 'tickets:-priority',
    descending: true,
    columns: { priority: tickets.priority, createdAt: tickets.createdAt, id: tickets.id },
  },
  // The next pending due time; none pending (paused, met, no target) holds a far-future key.
  due_at: {
    name: 'tickets:due_at',
    descending: false,
    columns: { slaDueAt: tickets.slaDueAt, id: tickets.id },
  },
  '-due_at': {
    name: 'tickets:-due_at',
    descending: true,
    columns: { slaDueAt: tickets.slaDueAt, id: tickets.id },
  },
};

/** What the caller may see: staff everything, a user their own tickets. */
export function visibleTo(actor: Principal): SQL | undefined {
  return can(actor.role, 'tickets.read_all') ? undefined : eq(tickets.userId, actor.userId);
}

function assigneeCondition(actor: Principal, assignedTo: string): SQL {
  if (assignedTo === 'none') return isNull(tickets.assignedTo);
  return eq(tickets.assignedTo, assignedTo === 'me' ? actor.userId : assignedTo);
}

/** The WHERE conditions of a list or count: visibility, then each filter given. */
export function ticketConditions(actor: Principal, filters: TicketFilters): SQL | undefined {
  if (filters.user_id && filters.user_id !== actor.userId && !can(actor.role, 'tickets.read_all')) {
    throw new Forbidden('Only staff may list other people’s tickets');
  }
  if (filters.sla_state && !can(actor.role, 'tickets.read_all')) {
    throw new Forbidden('Only staff see service levels');
  }
  return and(
    visibleTo(actor),
    filters.status ? inArray(tickets.status, filters.status) : undefined,
    filters.sla_state ? inArray(tickets.slaState, filters.sla_state) : undefined,
    filters.priority ? inArray(tickets.priority, filters.priority) : undefined,
    filters.category_id ? eq(tickets.categoryId, filters.category_id) : undefined,
    filters.assigned_to ? assigneeCondition(actor, filters.assigned_to) : undefined,
    filters.user_id ? eq(tickets.userId, filters.user_id) : undefined,
    filters.created_from ? gte(tickets.createdAt, new Date(filters.created_from)) : undefined,
    filters.created_to ? lt(tickets.createdAt, new Date(filters.created_to)) : undefined,
    filters.q ? ticketSearchCondition(filters.q) : undefined,
  );
}

/** Tickets in list order a search looks through first (`searchQueries`). */
const searchWindow = 1000;

/**
 * The cache key of a caller's counts: whom they may see (everything, or their own tickets) and
 * the filters, with `assigned_to=me` named, so staff asking the same share one entry.
 */
function countsKey(actor: Principal, filters: TicketFilters): string {
  const scope = can(actor.role, 'tickets.read_all') ? 'all' : `own:${actor.userId}`;
  const named: Record<string, unknown> = { ...filters, scope };
  if (filters.assigned_to === 'me') named.assigned_to = actor.userId;
  // Keys in a fixed order (a replacer array also leaves out those without a value).
  return JSON.stringify(
    named,
    Object.keys(named).sort((a, b) => a.localeCompare(b)),
  );
}

/**
 * Read-only ticket queries: the list, the counts, and a single visible ticket. Counts are kept in
 * `countsCache` when one is given (the tickets service's; `counts-cache.ts`).
 */
export function createTicketQueries(db: Db, countsCache?: TicketCountsCache) {
  function listQuery(actor: Principal, query: TicketListQuery) {
    const order = keyset(orders[query.sort]);
    return db
      .select(ticketColumns)
      .from(tickets)
      .where(and(ticketConditions(actor, query), order.after(query.cursor)))
      .orderBy(...order.orderBy())
      .limit(query.limit + 1);
  }

  /**
   * A search's page in two steps, each fast where the other is slow (bench/scale.ts, 1M
   * tickets). Asked for the first rows in list order that match the words, PostgreSQL walks the
   * list's index testing each row, on the guess that matches are common: quick when they are,
   * but when they are rare it reads every ticket (1.6 s). So `near` walks only the first
   * `searchWindow` tickets in list order (stopping once the page is full); if the page is not
   * full there and there are more tickets than that (`windowSize`), `found` takes every match from the words' index and sorts them (`offset 0` keeps
   * PostgreSQL from walking the list's index instead). Both read from a subquery named
   * `tickets`, as the table, so the conditions and order name its columns as everywhere else.
   */
  function searchQueries(actor: Principal, query: TicketListQuery) {
    const order = keyset(orders[query.sort]);
    const filters = and(
      ticketConditions(actor, { ...query, q: undefined }),
      order.after(query.cursor),
    );
    const words = ticketSearchCondition(query.q ?? '');
    const asTickets = sql.identifier('tickets');
    // The ticket's columns as the subquery's (Drizzle refuses the table's outside a FROM of it).
    const subqueryColumns = Object.fromEntries(
      Object.entries(ticketColumns).map(([key, column]) => [
        key,
        sql`${asTickets}.${sql.identifier(column.name)}`.mapWith(column),
      ]),
    ) as unknown as typeof ticketColumns;
    const inOrder = order.orderBy();
    const window = db
      .select({ ...ticketColumns, searchVector: tickets.searchVector })
      .from(tickets)
      .where(filters)
      .orderBy(...inOrder)
      .limit(searchWindow);
    // Fewer tickets than the window holds (a customer's own, say): the near page is the answer.
    const windowIds = db
      .select({ id: tickets.id })
      .from(tickets)
      .where(filters)
      .orderBy(...inOrder)
      .limit(searchWindow);
    const windowSize = db.select({ size: count() }).from(sql`(${windowIds}) as ${asTickets}`);
    const near = db
      .select(subqueryColumns)
      .from(sql`(${window}) as ${asTickets}`)
      .where(words)
      .orderBy(...order.orderBy())
      .limit(query.limit + 1);
    const matches = db.select(ticketColumns).from(tickets).where(and(filters, words));
    const found = db
      .select(subqueryColumns)
      .from(sql`(${matches} offset 0) as ${asTickets}`)
      .orderBy(...order.orderBy())
      .limit(query.limit + 1);
    return { near, windowSize, found };
  }

  async function searchPage(actor: Principal, query: TicketListQuery): Promise<TicketRecord[]> {
    const { near, windowSize, found } = searchQueries(actor, query);
    const rows = await near;
    if (rows.length > query.limit) return rows;
    const [window] = await windowSize;
    return (window?.size ?? 0) < searchWindow ? rows : found;
  }

  // The commonest reads, built once and prepared (named statements PostgreSQL parses once per
  // connection): a ticket by id, on the pool or in a transaction (`db/statement.ts`), locked or
  // not, and a first page with no filter. Building a query with Drizzle took more of the
  // server's time than running it (bench/load.ts), and these are most requests.
  const byId = (own: boolean, lock: boolean) =>
    reusableStatement(db, `tickets_${own ? 'own_' : ''}by_id${lock ? '_for_update' : ''}`, (on) => {
      const query = on
        .select(ticketColumns)
        .from(tickets)
        .where(
          and(
            eq(tickets.id, sql.placeholder('id')),
            own ? eq(tickets.userId, sql.placeholder('user')) : undefined,
          ),
        );
      return lock ? query.for('update') : query;
    });
  const byIdStatements = {
    all: byId(false, false),
    own: byId(true, false),
    allForUpdate: byId(false, true),
    ownForUpdate: byId(true, true),
  };
  const firstPages = new Map<string, ReturnType<typeof prepareFirstPage>>();
  function prepareFirstPage(sort: TicketSort, own: boolean) {
    const order = keyset(orders[sort]);
    return db
      .select(ticketColumns)
      .from(tickets)
      .where(own ? eq(tickets.userId, sql.placeholder('user')) : undefined)
      .orderBy(...order.orderBy())
      .limit(sql.placeholder('limit'))
      .prepare(`tickets_first_page_${own ? 'own' : 'all'}_${sort.replace('-', 'desc_')}`);
  }
  /** The prepared first page for `query` when it is one (no filter, no cursor). */
  function firstPage(actor: Principal, query: TicketListQuery) {
    const plain = Object.entries(query).every(
      ([key, value]) =>
        value === undefined || key === 'sort' || key === 'limit' || key === 'fields',
    );
    if (!plain) return undefined;
    const own = !can(actor.role, 'tickets.read_all');
    const key = `${query.sort}:${own}`;
    let prepared = firstPages.get(key);
    if (!prepared) {
      prepared = prepareFirstPage(query.sort, own);
      firstPages.set(key, prepared);
    }
    return prepared.execute({ user: actor.userId, limit: query.limit + 1 });
  }

  /** Counts by status from rows of `status` and a count, whatever their number. */
  function countsOf(rows: { status: TicketStatus; count: number }[]): TicketCounts {
    const counts = Object.fromEntries(ticketStatuses.map((status) => [status, 0])) as TicketCounts;
    counts.total = 0;
    for (const row of rows) {
      counts[row.status] += row.count;
      counts.total += row.count;
    }
    return counts;
  }

  /**
   * The staff's counts from `ticket_counts` (kept by a trigger on every ticket change) when the
   * filters are only priority, category and assignee: a sum over a few hundred rows instead of a
   * count of every ticket (at 1M tickets 0.5 s, bench/scale.ts). Undefined otherwise.
   */
  function rollupCounts(actor: Principal, filters: TicketFilters) {
    const { priority, category_id: categoryId, assigned_to: assignedTo, ...rest } = filters;
    if (!can(actor.role, 'tickets.read_all')) return undefined;
    if (Object.values(rest).some(Boolean)) return undefined;
    let assignee: SQL | undefined;
    if (assignedTo === 'none') assignee = isNull(ticketCounts.assignedTo);
    else if (assignedTo) {
      assignee = eq(ticketCounts.assignedTo, assignedTo === 'me' ? actor.userId : assignedTo);
    }
    return db
      .select({
        status: ticketCounts.status,
        count: sql<number>`sum(${ticketCounts.tickets})`.mapWith(Number),
      })
      .from(ticketCounts)
      .where(
        and(
          priority ? inArray(ticketCounts.priority, priority) : undefined,
          categoryId ? eq(ticketCounts.categoryId, categoryId) : undefined,
          assignee,
        ),
      )
      .groupBy(ticketCounts.status);
  }

  /** How many tickets the caller may see with `filters`, by status, counted now. */
  async function countNow(actor: Principal, filters: TicketFilters): Promise<TicketCounts> {
    const rows = await (rollupCounts(actor, filters) ??
      db
        .select({ status: tickets.status, count: count() })
        .from(tickets)
        .where(ticketConditions(actor, filters))
        .groupBy(tickets.status));
    return countsOf(rows);
  }

  return {
    /** The list query itself, unexecuted (the EXPLAIN test inspects its plan). */
    listQuery,
    /** A search's two queries, unexecuted (the EXPLAIN test inspects their plans). */
    searchQueries,
    /** The counts query from `ticket_counts`, when the filters allow it (for the EXPLAIN test). */
    rollupCounts,

    /** A page of the tickets the caller may see, filtered, searched and sorted. */
    async list(actor: Principal, query: TicketListQuery): Promise<Page<TicketDto>> {
      const staff = can(actor.role, 'tickets.read_all');
      if (!staff && query.sort.endsWith('due_at')) {
        throw new Forbidden('Only staff see service levels');
      }
      const rows = await (firstPage(actor, query) ??
        (query.q?.trim() ? searchPage(actor, query) : listQuery(actor, query)));
      return keyset(orders[query.sort]).page(rows, query.limit, (row) =>
        slaShownTo(staff, toTicketDto(row)),
      );
    },

    /** How many tickets the caller may see, by status (with the same filters as the list). */
    async counts(actor: Principal, filters: TicketFilters): Promise<TicketCounts> {
      // Refused (a customer asking for someone else's) before anything is cached.
      ticketConditions(actor, filters);
      const compute = () => countNow(actor, filters);
      const counts = countsCache ? countsCache.get(countsKey(actor, filters), compute) : compute();
      // A copy: callers may change what they get, never the cached entry.
      return { ...(await counts) };
    },

    /** The ticket if the caller may see it; 404 otherwise (not found, or not theirs). */
    async visible(
      executor: Db | Tx,
      actor: Principal,
      id: string,
      lock = false,
    ): Promise<TicketRecord> {
      const own = visibleTo(actor) !== undefined;
      const statement = byIdStatements[`${own ? 'own' : 'all'}${lock ? 'ForUpdate' : ''}` as const];
      const [row] = await statement(executor, { id, user: actor.userId });
      if (!row) throw new NotFound('Ticket not found');
      return row;
    },
  };
}
