import { z } from 'zod';
import { slaStates, ticketPriorities, ticketStatuses, type TicketRow } from '../db/schema.js';
import { attachmentIdsField } from '../files/schemas.js';
import { cursorParam, fieldsParam, limitParam } from '../http/list-query.js';
import { ticketSlaSchema, toTicketSlaDto } from '../sla/schemas.js';

/** A ticket, with when staff first answered (docs/api.md#tickets). */
export const ticketSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int().describe('Short human number, shown as #123'),
    user_id: z.uuid().describe('The author'),
    assigned_to: z.uuid().nullable(),
    category_id: z.uuid(),
    title: z.string(),
    description: z.string(),
    status: z.enum(ticketStatuses),
    priority: z.enum(ticketPriorities),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    closed_at: z.iso.datetime().nullable(),
    first_response_at: z.iso.datetime().nullable().describe('When staff first answered'),
    sla: ticketSlaSchema.nullable().describe('Null without a target, and always for customers'),
  })
  .meta({ id: 'Ticket', description: 'A support ticket' });

/** A ticket in API shape. */
export type TicketDto = z.infer<typeof ticketSchema>;

/** The fields `?fields=` may name. */
export const ticketFields = Object.keys(ticketSchema.shape) as (keyof TicketDto)[];

/** The sorts of the ticket list. */
export const ticketSorts = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'priority',
  '-priority',
  'due_at',
  '-due_at',
] as const;
/** A sort of the ticket list. */
export type TicketSort = (typeof ticketSorts)[number];

/** `?x=a&x=b` and `?x=a,b` alike, each value one of `values`. */
function repeatable<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')))
    .pipe(
      z
        .array(z.enum(values))
        .min(1)
        .max(values.length * 2),
    )
    .optional();
}

const title = z.string().trim().min(1).max(200);
const description = z.string().trim().min(1).max(2000);

/** An ISO 8601 time with an offset that PostgreSQL can hold (years 1–9999 once in UTC). */
const timeBound = z.iso.datetime({ offset: true }).refine(
  (value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1 && year <= 9999;
  },
  { message: 'must be a time between the years 1 and 9999' },
);

/** Filters shared by the ticket list and the counts. */
const filterShape = {
  priority: repeatable(ticketPriorities).describe('Repeatable or comma-separated'),
  category_id: z.uuid().optional(),
  assigned_to: z
    .union([z.uuid(), z.enum(['me', 'none'])])
    .optional()
    .describe('A user id, `me`, or `none` for the unassigned queue'),
  user_id: z.uuid().optional().describe('Staff: tickets of this author'),
  created_from: timeBound.optional().describe('Created at or after'),
  created_to: timeBound.optional().describe('Created before'),
  q: z
    .string()
    .max(200)
    .optional()
    .describe(
      'Search: words of the title and description (Russian and English, prefix match as you ' +
        'type), or a ticket number like 123 or #123',
    ),
};

/** `GET /tickets` query. */
export const ticketListQuery = z.strictObject({
  status: repeatable(ticketStatuses).describe('Repeatable or comma-separated'),
  sla_state: repeatable(slaStates).describe('Staff: repeatable or comma-separated'),
  ...filterShape,
  sort: z.enum(ticketSorts).default('-created_at'),
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(ticketFields),
});

/** `GET /users/{id}/tickets` query: the list's, without `user_id`. */
export const userTicketListQuery = ticketListQuery.omit({ user_id: true });

/** `GET /tickets/counts` query. */
export const ticketCountsQuery = z.strictObject(filterShape);

/** Filters of the ticket list and the counts, parsed. */
export type TicketFilters = z.infer<typeof ticketCountsQuery> & {
  status?: (typeof ticketStatuses)[number][];
  sla_state?: (typeof slaStates)[number][];
};

/** A page request of the ticket list. */
export interface TicketListQuery extends TicketFilters {
  sort: TicketSort;
  limit: number;
  cursor?: string;
}

/** Ticket counts by status. */
export const ticketCountsSchema = z
  .object({
    ...Object.fromEntries(ticketStatuses.map((status) => [status, z.number().int()])),
    total: z.number().int(),
  } as Record<(typeof ticketStatuses)[number] | 'total', z.ZodNumber>)
  .meta({ id: 'TicketCounts', description: 'How many tickets the caller may see, by status' });

/** Ticket counts in API shape. */
export type TicketCounts = z.infer<typeof ticketCountsSchema>;

/** `POST /tickets` body. */
export const createTicketBody = z
  .strictObject({
    category_id: z.uuid(),
    title,
    description,
    priority: z.enum(ticketPriorities).default('normal'),
    attachment_ids: attachmentIdsField,
  })
  .meta({ id: 'TicketCreate' });

/** A new ticket's fields. */
export type TicketInput = z.infer<typeof createTicketBody>;

/** `PUT /tickets/{id}` body. */
export const updateTicketBody = z
  .strictObject({
    title: title.optional().describe('Author only'),
    description: description.optional().describe('Author only'),
    priority: z.enum(ticketPriorities).optional().describe('Author or staff'),
    category_id: z.uuid().optional().describe('Staff only'),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' })
  .meta({ id: 'TicketUpdate' });

/** Changes to a ticket. */
export type TicketPatch = z.infer<typeof updateTicketBody>;

/** `PUT /tickets/{id}/assign` body. */
export const assignBody = z.strictObject({
  assigned_to: z.uuid().nullable().describe('An active agent-or-above user, or null to unassign'),
});

/** `PUT /tickets/{id}/status` body. */
export const statusBody = z.strictObject({ status: z.enum(ticketStatuses) });

/** The columns a ticket is read with (everything but the search document). */
export type TicketRecord = Omit<TicketRow, 'searchVector'>;

/** Shapes a ticket row for the API. */
export function toTicketDto(row: TicketRecord): TicketDto {
  return {
    id: row.id,
    number: row.number,
    user_id: row.userId,
    assigned_to: row.assignedTo,
    category_id: row.categoryId,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    closed_at: row.closedAt?.toISOString() ?? null,
    first_response_at: row.firstResponseAt?.toISOString() ?? null,
    sla: toTicketSlaDto(row),
  };
}
