import { z } from 'zod';
import { scanStatuses, type AttachmentRow } from '../db/schema.js';

/** A file attached to a ticket or message (CONTRACT.md). */
export const attachmentSchema = z
  .object({
    id: z.uuid(),
    file_name: z.string(),
    mime_type: z.string().describe('Detected from the content, not the name'),
    size: z.number().int().describe('Bytes'),
    url: z.string().describe('Where the file is served to those who may see its ticket'),
    preview_url: z.string().nullable().describe('A WebP preview, for images'),
    scan_status: z.enum(scanStatuses),
  })
  .meta({ id: 'Attachment', description: 'A file attached to a ticket or message' });

/** An attachment in API shape. */
export type AttachmentDto = z.infer<typeof attachmentSchema>;

/** Shapes an attachment row for the API. */
export function toAttachmentDto(row: AttachmentRow): AttachmentDto {
  return {
    id: row.id,
    file_name: row.fileName,
    mime_type: row.mimeType,
    size: row.size,
    url: `/api/v1/files/${row.id}`,
    preview_url: row.previewKey ? `/api/v1/files/${row.id}/preview` : null,
    scan_status: row.scanStatus,
  };
}
