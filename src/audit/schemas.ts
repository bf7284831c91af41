import { z } from 'zod';
import type { AuditRow } from '../db/schema.js';

/** One recorded change, as the history endpoints show it. */
export const auditEntrySchema = z
  .object({
    id: z.uuid(),
    actor_id: z.uuid().nullable().describe('Who made the change; null for the system'),
    action: z.string().describe('What happened, e.g. ticket.status_changed or user.role_changed'),
    entity_type: z.enum([
      'ticket',
      'message',
      'category',
      'user',
      'ip_ban',
      'settings',
      'canned_reply',
    ]),
    entity_id: z
      .uuid()
      .describe('The thing changed; for an ip_ban a name-based UUID of the address, in before.ip'),
    ticket_id: z.uuid().nullable().describe('The ticket the change belongs to, if any'),
    before: z.record(z.string(), z.unknown()).nullable().describe('Changed fields before'),
    after: z.record(z.string(), z.unknown()).nullable().describe('Changed fields after'),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry', description: 'A recorded change' });

/** An audit entry in API shape. */
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;

/** The fields `?fields=` may name. */
export const auditEntryFields = Object.keys(auditEntrySchema.shape) as (keyof AuditEntryDto)[];

/** Shapes an audit row for the API. */
export function toAuditEntryDto(row: AuditRow): AuditEntryDto {
  return {
    id: row.id,
    actor_id: row.actorId,
    action: row.action,
    entity_type: row.entityType as AuditEntryDto['entity_type'],
    entity_id: row.entityId,
    ticket_id: row.ticketId,
    before: (row.before as Record<string, unknown> | null) ?? null,
    after: (row.after as Record<string, unknown> | null) ?? null,
    created_at: row.createdAt.toISOString(),
  };
}
