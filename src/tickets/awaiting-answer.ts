import { and, asc, notInArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { tickets } from '../db/schema.js';
import { ticketColumns } from './queries.js';
import type { TicketRecord } from './schemas.js';

/** Which waiting tickets to find: waiting since before `cutoff`, not in `excluding`. */
export interface AwaitingAnswerQuery {
  cutoff: Date;
  excluding: readonly string[];
  limit: number;
}

/**
 * Tickets (not resolved or closed) whose customer has waited since before `cutoff` for a staff
 * answer: no public staff message since the customer's last public message, or since the ticket
 * was opened. Oldest first. Staff-ness of a message is its writer's role now.
 */
export async function ticketsAwaitingStaffAnswer(
  tx: Db | Tx,
  query: AwaitingAnswerQuery,
): Promise<TicketRecord[]> {
  const customerAt = sql`greatest(${tickets.createdAt}, (select max(m.created_at) from messages m where m.ticket_id = ${tickets.id} and m.user_id = ${tickets.userId} and not m.is_internal))`;
  const staffAt = sql`(select max(m.created_at) from messages m join users u on u.id = m.user_id where m.ticket_id = ${tickets.id} and m.user_id <> ${tickets.userId} and not m.is_internal and u.role <> 'user')`;
  return tx
    .select(ticketColumns)
    .from(tickets)
    .where(
      and(
        notInArray(tickets.status, ['resolved', 'closed']),
        sql`${customerAt} < ${query.cutoff}`,
        sql`(${staffAt} is null or ${staffAt} < ${customerAt})`,
        query.excluding.length > 0 ? notInArray(tickets.id, [...query.excluding]) : undefined,
      ),
    )
    .orderBy(asc(tickets.createdAt))
    .limit(query.limit);
}
