import { asc, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { attachments } from '../db/schema.js';
import { toAttachmentDto, type AttachmentDto } from './schemas.js';

/** Creates the files service: the only reader and writer of `attachments`. */
export function createFileService(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** The attachments of each of these messages, in upload order. */
    async attachmentsOf(messageIds: readonly string[]): Promise<Map<string, AttachmentDto[]>> {
      const byMessage = new Map<string, AttachmentDto[]>();
      if (messageIds.length === 0) return byMessage;
      const rows = await db
        .select()
        .from(attachments)
        .where(inArray(attachments.messageId, [...messageIds]))
        .orderBy(asc(attachments.createdAt), asc(attachments.id));
      for (const row of rows) {
        if (!row.messageId) continue;
        const list = byMessage.get(row.messageId) ?? [];
        list.push(toAttachmentDto(row));
        byMessage.set(row.messageId, list);
      }
      return byMessage;
    },
  };
}

/** The files service. */
export type FileService = ReturnType<typeof createFileService>;
