import { and, eq, gte, isNull, lt, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { keyset } from '../db/keyset.js';
import { categories, tickets, users } from '../db/schema.js';
import type { Language } from '../i18n/language.js';
import type { ReportQuery, ReportTicket } from './report-data.js';

/** Tickets read per page while the spreadsheet is written. */
export const ticketPageSize = 500;

const order = keyset({
  name: 'report.created',
  descending: false,
  columns: { createdAt: tickets.createdAt, id: tickets.id },
});

/** The filters of `query` over `tickets`, and the period on their creation. */
function conditions(query: ReportQuery): SQL[] {
  const filters: (SQL | undefined)[] = [
    gte(tickets.createdAt, query.from),
    lt(tickets.createdAt, query.to),
    query.categoryId ? eq(tickets.categoryId, query.categoryId) : undefined,
    query.priority ? eq(tickets.priority, query.priority) : undefined,
  ];
  if (query.assignedTo === 'none') filters.push(isNull(tickets.assignedTo));
  else if (query.assignedTo) filters.push(eq(tickets.assignedTo, query.assignedTo));
  return filters.filter((condition): condition is SQL => condition !== undefined);
}

const fullName = (table: { firstName: AnyColumn; lastName: AnyColumn }) =>
  sql<string>`trim(${table.firstName} || ' ' || coalesce(${table.lastName}, ''))`;

/**
 * The raw tickets created in the query's period that pass its filters, oldest first, page by
 * page (keyset on creation time and id: a ticket created meanwhile shifts no other one), with
 * the category named in `language`. Only a page is held at a time.
 */
export async function* ticketPages(
  db: Db,
  query: ReportQuery,
  language: Language,
  pageSize = ticketPageSize,
): AsyncGenerator<ReportTicket[]> {
  const customer = alias(users, 'customer');
  const assignee = alias(users, 'assignee');
  let cursor: string | undefined;
  do {
    const after = order.after(cursor);
    const rows = await db
      .select({
        id: tickets.id,
        number: tickets.number,
        title: tickets.title,
        status: tickets.status,
        priority: tickets.priority,
        category: sql<string>`coalesce(${categories.translations} -> ${language} ->> 'name', ${categories.name})`,
        customer: fullName(customer),
        assignee: sql<
          string | null
        >`case when ${assignee.id} is null then null else ${fullName(assignee)} end`,
        createdAt: tickets.createdAt,
        firstResponseAt: tickets.firstResponseAt,
        closedAt: tickets.closedAt,
      })
      .from(tickets)
      .innerJoin(categories, eq(categories.id, tickets.categoryId))
      .innerJoin(customer, eq(customer.id, tickets.userId))
      .leftJoin(assignee, eq(assignee.id, tickets.assignedTo))
      .where(and(...conditions(query), after))
      .orderBy(...order.orderBy())
      .limit(pageSize + 1);
    const page = order.page(rows, pageSize, (row) => ({
      number: row.number,
      title: row.title,
      status: row.status,
      priority: row.priority,
      category: row.category,
      customer: row.customer,
      assignee: row.assignee,
      createdAt: row.createdAt,
      firstResponseAt: row.firstResponseAt,
      closedAt: row.closedAt,
      firstResponseS:
        row.firstResponseAt === null
          ? null
          : Math.round((row.firstResponseAt.getTime() - row.createdAt.getTime()) / 1000),
    }));
    if (page.items.length > 0) yield page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
}
