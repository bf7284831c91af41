import { z } from 'zod';
import type { MessageRow } from '../db/schema.js';
import { attachmentIdsField, attachmentSchema, type AttachmentDto } from '../files/schemas.js';
import { cursorParam, fieldsParam, limitParam } from '../http/list-query.js';
import { authorSchema, type AuthorDto } from '../users/schemas.js';

/** A message of a ticket's conversation (docs/api.md#messages). */
export const messageSchema = z
  .object({
    id: z.uuid(),
    ticket_id: z.uuid(),
    user_id: z.uuid().describe('The author'),
    author: authorSchema.nullable().describe('Who wrote it; null if their account is gone'),
    content: z.string().describe('Plain text'),
    attachments: z.array(attachmentSchema),
    is_internal: z.boolean().describe('A staff-only note'),
    created_at: z.iso.datetime(),
    edited_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Message', description: 'A message of a ticket’s conversation' });

/** A message in API shape. */
export type MessageDto = z.infer<typeof messageSchema>;

/** The fields `?fields=` may name. */
export const messageFields = Object.keys(messageSchema.shape) as (keyof MessageDto)[];

const content = z.string().trim().min(1).max(4000);

/** `GET /tickets/{id}/messages` query. */
export const messageListQuery = z.strictObject({
  sort: z
    .enum(['created_at', '-created_at'])
    .default('created_at')
    .describe('Oldest first (default, chat order) or newest first'),
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(messageFields),
});

/** A page request of a conversation. */
export type MessageListQuery = Omit<z.infer<typeof messageListQuery>, 'fields'>;

/** `POST /tickets/{id}/messages` body. */
export const createMessageBody = z
  .strictObject({
    content: content.describe('1–4000 characters of plain text (HTML markup is removed)'),
    is_internal: z.boolean().default(false).describe('Staff only: a note users never see'),
    attachment_ids: attachmentIdsField,
  })
  .meta({ id: 'MessageCreate' });

/** A new message's fields. */
export type MessageInput = z.infer<typeof createMessageBody>;

/** `PUT /messages/{id}` body. */
export const updateMessageBody = z.strictObject({ content }).meta({ id: 'MessageUpdate' });

/** Shapes a message row for the API. */
export function toMessageDto(
  row: MessageRow,
  author: AuthorDto | undefined,
  attachments: AttachmentDto[] = [],
): MessageDto {
  return {
    id: row.id,
    ticket_id: row.ticketId,
    user_id: row.userId,
    author: author ?? null,
    content: row.content,
    attachments,
    is_internal: row.isInternal,
    created_at: row.createdAt.toISOString(),
    edited_at: row.editedAt?.toISOString() ?? null,
  };
}
