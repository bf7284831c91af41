import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { messages, tickets } from '../db/schema.js';

/**
 * Ids of resolved tickets untouched since `idleSince`: no change to the ticket and no message
 * (from anyone, internal notes included) after it. Oldest first.
 */
export async function idleResolvedTickets(
  executor: Db | Tx,
  idleSince: Date,
  limit: number,
): Promise<string[]> {
  const lastMessageAt = sql`(select max(m.created_at) from messages m where m.ticket_id = ${tickets.id})`;
  const rows = await executor
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      and(
        eq(tickets.status, 'resolved'),
        sql`${tickets.updatedAt} < ${idleSince}`,
        sql`(${lastMessageAt} is null or ${lastMessageAt} < ${idleSince})`,
      ),
    )
    .orderBy(asc(tickets.updatedAt))
    .limit(limit);
  return rows.map((row) => row.id);
}

/** True when the ticket has a message written at or after `since`. */
export async function hasMessageSince(tx: Tx, ticketId: string, since: Date): Promise<boolean> {
  const [row] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.ticketId, ticketId), gte(messages.createdAt, since)))
    .limit(1);
  return row !== undefined;
}
