import { z } from 'zod';
import { scanStatuses, type AttachmentRow } from '../db/schema.js';
import type { FileUrls } from './file-urls.js';

/** A file attached to a ticket or message (docs/api.md#attachments). */
export const attachmentSchema = z
  .object({
    id: z.uuid(),
    file_name: z.string(),
    mime_type: z.string().describe('Detected from the content, not the name'),
    size: z.number().int().describe('Bytes'),
    url: z
      .string()
      .describe(
        'Where the file is served: a signed link (`?exp=&u=&sig=`, valid at least an hour) ' +
          'that works without an Authorization header, e.g. in `<img src>`, while the user it ' +
          'was handed to is not blocked',
      ),
    preview_url: z
      .string()
      .nullable()
      .describe('A signed link to a WebP preview (`&size=small|large`), for images'),
    scan_status: z.enum(scanStatuses),
  })
  .meta({ id: 'Attachment', description: 'A file attached to a ticket or message' });

/** An attachment in API shape. */
export type AttachmentDto = z.infer<typeof attachmentSchema>;

/** What an attachment's API shape is made of. */
export type AttachedFile = Pick<
  AttachmentRow,
  'id' | 'fileName' | 'mimeType' | 'size' | 'previewKey' | 'scanStatus'
>;

/** Shapes an attachment row for the API, with links freshly signed for the user `holder`. */
export function toAttachmentDto(row: AttachedFile, urls: FileUrls, holder: string): AttachmentDto {
  return {
    id: row.id,
    file_name: row.fileName,
    mime_type: row.mimeType,
    size: row.size,
    url: urls.url(row.id, 'file', holder),
    preview_url: row.previewKey ? urls.url(row.id, 'preview', holder) : null,
    scan_status: row.scanStatus,
  };
}

/** `{items}`: the attachments an upload made, or a ticket's files. */
export const attachmentListSchema = z.object({ items: z.array(attachmentSchema) });

/** `GET /files/{id}` query: the signed-link parameters, when the link is used without a token. */
export const fileQuery = z.strictObject({
  exp: z.coerce.number().int().optional().describe('Signed link: expiry (Unix seconds)'),
  u: z.uuid().optional().describe('Signed link: the user it was handed to'),
  sig: z.string().max(100).optional().describe('Signed link: signature'),
});

/** `GET /files/{id}/preview` query. */
export const previewQuery = fileQuery.extend({
  size: z.enum(['small', 'large']).default('small').describe('About 320 px or 1280 px'),
});

/** `attachment_ids` on new tickets and messages: the caller's uploads to attach. */
export const attachmentIdsField = z
  .array(z.uuid())
  .max(10)
  .optional()
  .describe(
    'Up to 10 ids of the caller’s uploads to attach: their own unattached uploads, or uploads ' +
      'already on this ticket not yet in a message',
  );
