import {
  and,
  asc,
  count,
  eq,
  inArray,
  isNull,
  lt,
  sql,
  type AnyColumn,
  type SQL,
} from 'drizzle-orm';
import { isStaff } from '../auth/permissions.js';
import type { Principal } from '../auth/service.js';
import type { Db, Tx } from '../db/client.js';
import { reusableStatement } from '../db/statement.js';
import { attachments, messages, type AttachmentRow } from '../db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.js';
import { createTicketQueries } from '../tickets/queries.js';
import { refuseClosed } from '../tickets/ticket-status.js';
import type { FileServiceDeps } from './deps.js';
import type { FileVariant, SignedLink } from './file-urls.js';
import { createFileStore, type UploadPart } from './file-store.js';
import { toAttachmentDto, type AttachedFile, type AttachmentDto } from './schemas.js';

export { fileJobNames } from './file-store.js';

/**
 * Uploads still waiting after this long are removed: never named in a new ticket nor put in a
 * message (uploaded alone, or to a ticket but never sent).
 */
export const orphanMaxAgeMs = 24 * 60 * 60 * 1000;

/**
 * How many uploads one person may keep waiting (alone or on a ticket, not yet in a message),
 * so they cannot fill the disk.
 */
export const maxPendingUploads = 50;

export type { AlertStaff, FileServiceDeps, QuarantinedUpload } from './deps.js';

/**
 * A message's files as a column of a statement that reads messages (`messageId`: its id column),
 * in upload order: so a page of messages reads them in its own statement, not in one more after
 * it. A JSON array, which both drivers decode; `filesOfPage` shapes it for the API.
 */
export function filesOfMessage(messageId: AnyColumn): SQL<AttachedFile[]> {
  return sql<AttachedFile[]>`(select coalesce(json_agg(json_build_object(
      'id', ${attachments.id}, 'fileName', ${attachments.fileName},
      'mimeType', ${attachments.mimeType}, 'size', ${attachments.size},
      'previewKey', ${attachments.previewKey}, 'scanStatus', ${attachments.scanStatus}
    ) order by ${attachments.createdAt}, ${attachments.id}), '[]'::json)
    from ${attachments} where ${attachments.messageId} = ${messageId})`;
}

/** Creates the files service: the only reader and writer of `attachments` and of the blobs. */
export function createFileService(deps: FileServiceDeps) {
  const { db, clock, blobs, urls, logger } = deps;
  // Every page of messages reads its files: built once (`db/statement.ts`), the page's ids as one
  // array parameter (Drizzle built a parameter per message, 50 on a full page).
  const attachmentsOfMessages = reusableStatement(db, 'attachments_of_messages', (on) =>
    on
      .select()
      .from(attachments)
      .where(sql`${attachments.messageId} = any(${sql.placeholder('ids')}::uuid[])`)
      .orderBy(asc(attachments.createdAt), asc(attachments.id)),
  );
  const tickets = createTicketQueries(db);
  const store = createFileStore(deps);
  const dto = (row: AttachedFile, holder: string) => toAttachmentDto(row, urls, holder);

  /** The ticket the caller may write in (seen by them, not closed), else 404/409. */
  async function writableTicket(actor: Principal, ticketId: string) {
    const ticket = await tickets.visible(db, actor, ticketId);
    refuseClosed(ticket);
    return ticket;
  }

  /**
   * 409 once the caller already has `maxPendingUploads` files waiting to be attached, wherever
   * they were uploaded (alone or to a ticket).
   */
  async function refuseTooManyPending(actor: Principal) {
    const [pending] = await db
      .select({ n: count() })
      .from(attachments)
      .where(and(eq(attachments.uploaderId, actor.userId), isNull(attachments.attachedAt)));
    if ((pending?.n ?? 0) >= maxPendingUploads) {
      throw new Conflict(
        `At most ${maxPendingUploads} files may wait to be attached: send or remove some first`,
        'too_many_pending_uploads',
      );
    }
  }

  /** The attachment row if the caller may see it; 404 for anything else. */
  async function visibleRow(actor: Principal | undefined, id: string): Promise<AttachmentRow> {
    const [found] = await db
      .select({ file: attachments, internal: messages.isInternal })
      .from(attachments)
      .leftJoin(messages, eq(messages.id, attachments.messageId))
      .where(eq(attachments.id, id));
    if (!found) throw new NotFound('File not found');
    const { file, internal } = found;
    // A valid signed link was handed out to someone who could see the file.
    if (!actor) return file;
    const own = file.uploaderId === actor.userId;
    const staff = isStaff(actor.role);
    if (!file.ticketId) {
      if (!own) throw new NotFound('File not found');
      return file;
    }
    await tickets.visible(db, actor, file.ticketId).catch(() => {
      throw new NotFound('File not found');
    });
    // In a message: as the message; on the ticket, not yet in a message: its uploader and staff.
    const visible = file.messageId ? !internal || staff : own || staff;
    if (!visible) throw new NotFound('File not found');
    return file;
  }

  /** Ids the caller may attach here; any other id is a 422 naming `attachment_ids`. */
  async function attachable(
    tx: Tx,
    actor: Principal,
    ticketId: string,
    ids: readonly string[],
    internal = false,
  ): Promise<void> {
    const unique = [...new Set(ids)];
    const rows = await tx
      .select()
      .from(attachments)
      .where(inArray(attachments.id, unique))
      .for('update');
    const refused = unique.filter((id) => {
      const row = rows.find((candidate) => candidate.id === id);
      if (!row || row.messageId || row.scanStatus === 'infected') return true;
      const mine = row.uploaderId === actor.userId;
      // Staff may send on someone else's upload, never hide it in an internal note.
      const allowed = mine || (isStaff(actor.role) && !internal);
      return row.ticketId ? row.ticketId !== ticketId || !allowed : !mine;
    });
    if (refused.length > 0) {
      throw new Invalid('Some attachments cannot be attached here', [
        {
          field: 'attachment_ids',
          message: `not your upload, already attached, infected or unknown: ${refused.join(', ')}`,
        },
      ]);
    }
  }

  async function blobKeysWhere(tx: Tx, where: SQL): Promise<string[]> {
    const rows = await tx
      .select({ storageKey: attachments.storageKey, previewKey: attachments.previewKey })
      .from(attachments)
      .where(where);
    return rows.flatMap((row) => store.keysOf(row));
  }

  return {
    /** A message's files as `filesOfMessage` read them, with links for `holder`. */
    filesOfPage(files: readonly AttachedFile[], holder: string): AttachmentDto[] {
      return files.map((file) => dto(file, holder));
    },

    /**
     * The attachments of each of these messages, in upload order, with links for `holder`; in
     * `executor`'s transaction when given one.
     */
    async attachmentsOf(
      messageIds: readonly string[],
      holder: string,
      executor: Db | Tx = db,
    ): Promise<Map<string, AttachmentDto[]>> {
      const byMessage = new Map<string, AttachmentDto[]>();
      if (messageIds.length === 0) return byMessage;
      const rows = await attachmentsOfMessages(executor, { ids: [...messageIds] });
      for (const row of rows) {
        if (!row.messageId) continue;
        const list = byMessage.get(row.messageId) ?? [];
        list.push(dto(row, holder));
        byMessage.set(row.messageId, list);
      }
      return byMessage;
    },

    /**
     * Receives uploads (one or more), to a ticket the caller may write in or, without a ticket,
     * as the caller's own until attached (removed after 24 h otherwise). All are checked before
     * any is kept: one bad file (413/415) keeps none.
     */
    async upload(
      actor: Principal,
      ticketId: string | null,
      parts: AsyncIterable<UploadPart> | Iterable<UploadPart>,
    ): Promise<AttachmentDto[]> {
      if (ticketId) await writableTicket(actor, ticketId);
      await refuseTooManyPending(actor);
      const rows = await store.receive(actor, ticketId, parts);
      return rows.map((row) => dto(row, actor.userId));
    },

    /**
     * Ingests a Telegram file (a document, or a photo's largest size: see `largestPhoto`) by
     * `getFile` and a download from the Bot API, through the same checks as an upload.
     */
    async ingestTelegramFile(
      actor: Principal,
      input: { file_id: string; file_name?: string; ticket_id?: string },
    ): Promise<AttachmentDto> {
      if (input.ticket_id) await writableTicket(actor, input.ticket_id);
      await refuseTooManyPending(actor);
      const part = await store.downloadTelegramFile(input.file_id, input.file_name);
      const [row] = await store.receive(actor, input.ticket_id ?? null, [part]);
      if (!row) throw new Error('an ingested file went missing');
      return dto(row, actor.userId);
    },

    /**
     * An attachment's name, type and bytes, to pass it on to the staff group (`threads/`; no
     * visibility check: for jobs); undefined when it is gone or was found infected.
     */
    async contentOf(
      id: string,
    ): Promise<{ fileName: string; mimeType: string; bytes: Buffer } | undefined> {
      const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
      if (!row || row.scanStatus === 'infected') return undefined;
      const stream = await blobs.get(row.storageKey);
      if (!stream) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { fileName: row.fileName, mimeType: row.mimeType, bytes: Buffer.concat(chunks) };
    },

    /** The files of a ticket the caller may see, in upload order. */
    async listForTicket(actor: Principal, ticketId: string): Promise<AttachmentDto[]> {
      await tickets.visible(db, actor, ticketId);
      const rows = await db
        .select({ file: attachments, internal: messages.isInternal })
        .from(attachments)
        .leftJoin(messages, eq(messages.id, attachments.messageId))
        .where(eq(attachments.ticketId, ticketId))
        .orderBy(asc(attachments.createdAt), asc(attachments.id));
      const staff = isStaff(actor.role);
      return rows
        .filter(({ file, internal }) =>
          file.messageId ? !internal || staff : staff || file.uploaderId === actor.userId,
        )
        .map(({ file }) => dto(file, actor.userId));
    },

    /**
     * A file to serve: the caller must see it (`actor` undefined means a valid signed link),
     * and it must have passed scanning: infected and not yet scanned files are 409.
     */
    async servable(actor: Principal | undefined, id: string): Promise<AttachmentRow> {
      const row = await visibleRow(actor, id);
      if (row.scanStatus === 'infected') {
        throw new Conflict('This file contains malware and is quarantined', 'file_infected');
      }
      if (row.scanStatus === 'pending') {
        throw new Conflict('This file is still being scanned; try again shortly', 'scan_pending');
      }
      return row;
    },

    /**
     * True when the link is a valid signed link to this file's `variant`; a valid one handed to
     * a user who has been blocked since is 403 `user_blocked` (one cached lookup).
     */
    async verifyLink(id: string, variant: FileVariant, link: SignedLink): Promise<boolean> {
      if (!urls.verify(id, variant, link)) return false;
      const access = await deps.userAccess(link.holder);
      if (!access) return false;
      if (!access.is_active) throw new Forbidden('This account is blocked', 'user_blocked');
      return true;
    },

    /** The stored bytes of a servable file (or one preview size). */
    open: (key: string, range?: { start: number; end: number }) => blobs.get(key, range),

    /** The size of a stored blob, for ranges. */
    sizeOf: (key: string) => blobs.stat(key),

    /** Attaches the caller's uploads to a new ticket, in the ticket's transaction. */
    async attachToTicket(tx: Tx, actor: Principal, ticketId: string, ids: readonly string[]) {
      if (ids.length === 0) return;
      await attachable(tx, actor, ticketId, ids);
      await tx
        .update(attachments)
        .set({ ticketId, attachedAt: clock.now() })
        .where(inArray(attachments.id, [...ids]));
    },

    /**
     * Attaches uploads to a new message, in the message's transaction. A message's files share
     * its visibility: those of an internal note are never shown to users, so only the caller's
     * own uploads go into one.
     */
    async attachToMessage(
      tx: Tx,
      actor: Principal,
      ticketId: string,
      message: { id: string; isInternal: boolean },
      ids: readonly string[],
    ) {
      if (ids.length === 0) return;
      await attachable(tx, actor, ticketId, ids, message.isInternal);
      const messageId = message.id;
      await tx
        .update(attachments)
        .set({ ticketId, messageId, attachedAt: clock.now() })
        .where(inArray(attachments.id, [...ids]));
    },

    /** The blob keys of a ticket's files, read before it is deleted (rows go with the ticket). */
    blobKeysOfTicket: (tx: Tx, ticketId: string) =>
      blobKeysWhere(tx, eq(attachments.ticketId, ticketId)),

    /** The blob keys of a message's files, read before it is deleted (rows go with it). */
    blobKeysOfMessage: (tx: Tx, messageId: string) =>
      blobKeysWhere(tx, eq(attachments.messageId, messageId)),

    /** Removes blobs whose rows are gone; a failure is logged, never thrown. */
    async deleteBlobs(keys: readonly string[]): Promise<void> {
      await store.deleteKeys(keys);
    },

    /**
     * Removes uploads that waited 24 h (alone, or on a ticket but in no message): their rows and
     * blobs. Returns how many.
     */
    async purgeOrphans(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - orphanMaxAgeMs);
      const removed = await db
        .delete(attachments)
        .where(and(isNull(attachments.attachedAt), lt(attachments.createdAt, cutoff)))
        .returning({ storageKey: attachments.storageKey, previewKey: attachments.previewKey });
      await store.deleteKeys(removed.flatMap((row) => store.keysOf(row)));
      if (removed.length > 0) logger.info({ count: removed.length }, 'removed unattached uploads');
      return removed.length;
    },

    /** Scans a file stored while clamd was unreachable (job `files.scan`). */
    rescan: (id: string) => store.rescan(id),
  };
}

/** The files service. */
export type FileService = ReturnType<typeof createFileService>;
