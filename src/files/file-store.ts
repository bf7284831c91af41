import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { eq, inArray } from 'drizzle-orm';
import type { PhotoSize } from 'grammy/types';
import type { Principal } from '../auth/service.js';
import { attachments, type AttachmentRow } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import { DomainError } from '../errors.js';
import { processImage, previewSizes, type PreviewSize } from './images.js';
import type { FileServiceDeps } from './deps.js';
import { discardStaged, stageUpload, type StagedFile } from './staging.js';

/** One file of an upload: its bytes and the name the client gave. */
export interface UploadPart {
  file: Readable;
  filename?: string;
}

/** Job names of the files feature. */
export const fileJobNames = { scan: 'files.scan', purgeOrphans: 'files.purge-orphans' } as const;

/** The blob key of a preview size, from the row's preview prefix. */
export function previewKey(prefix: string, size: PreviewSize): string {
  return `${prefix}-${size}.webp`;
}

/** Of a Telegram photo's sizes, the largest (the one worth keeping). */
export function largestPhoto(sizes: readonly PhotoSize[]): PhotoSize | undefined {
  let best: PhotoSize | undefined;
  for (const size of sizes) {
    if (!best || size.width * size.height > best.width * best.height) best = size;
  }
  return best;
}

/**
 * The upload pipeline behind the files service: receive and check (staging), scan, re-encode
 * and preview images, store the blobs, record the rows; and the reverse, removing blobs.
 */
export function createFileStore(deps: FileServiceDeps) {
  const { db, clock, blobs, scanner, queue, logger, stagingDir, alertStaff } = deps;

  async function scan(file: StagedFile): Promise<AttachmentRow['scanStatus']> {
    if (!scanner.enabled) return 'skipped';
    try {
      const verdict = await scanner.scan(createReadStream(file.path));
      if (!verdict.infected) return 'clean';
      logger.warn({ file: file.fileName, signature: verdict.signature }, 'upload is infected');
      return 'infected';
    } catch (error) {
      // clamd is down: keep the file unserved and scan it later.
      logger.error({ err: error }, 'antivirus scan failed; the file waits for a later scan');
      return 'pending';
    }
  }

  /** Tells staff; a failure to tell is logged, never undoes the quarantine. */
  async function alertInfected(row: AttachmentRow): Promise<void> {
    const upload = { fileName: row.fileName, uploaderId: row.uploaderId, ticketId: row.ticketId };
    logger.warn(upload, 'malware upload quarantined');
    await alertStaff?.(upload).catch((error: unknown) => {
      logger.error({ err: error }, 'could not alert staff about a quarantined upload');
    });
  }

  /** Stores one checked file: blobs first, then its row; returns the row. */
  async function keep(
    actor: Principal,
    ticketId: string | null,
    file: StagedFile,
  ): Promise<AttachmentRow> {
    const row = await store(actor, ticketId, file, await scan(file));
    if (row.scanStatus === 'infected') await alertInfected(row);
    return row;
  }

  /** Writes the blobs, then the row; on failure removes the blobs it wrote. */
  async function store(
    actor: Principal,
    ticketId: string | null,
    file: StagedFile,
    scanStatus: AttachmentRow['scanStatus'],
  ): Promise<AttachmentRow> {
    const id = randomUUID();
    const keys: string[] = [];
    try {
      let storageKey = `files/${id}`;
      let prefix: string | null = null;
      let size = file.size;
      if (scanStatus === 'infected') {
        storageKey = `quarantine/${id}`;
        await blobs.put(storageKey, createReadStream(file.path));
        keys.push(storageKey);
      } else {
        const processed = file.kind === 'image' ? await processImage(file.path, file.mimeType) : {};
        await blobs.put(storageKey, processed.image ?? createReadStream(file.path));
        keys.push(storageKey);
        size = processed.image?.length ?? size;
        if (processed.previews) {
          prefix = `previews/${id}`;
          for (const name of Object.keys(previewSizes) as PreviewSize[]) {
            await blobs.put(previewKey(prefix, name), processed.previews[name]);
            keys.push(previewKey(prefix, name));
          }
        }
      }
      // The row and its later scan commit together: never a row whose scan was not queued.
      const row = await db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(attachments)
          .values({
            id,
            ticketId,
            uploaderId: actor.userId,
            fileName: file.fileName,
            mimeType: file.mimeType,
            size,
            storageKey,
            previewKey: prefix,
            scanStatus,
            createdAt: clock.now(),
          })
          .returning();
        if (!inserted) throw new Error('insert returned no row');
        if (scanStatus === 'pending')
          await queue.send(fileJobNames.scan, { id }, { executor: transactionExecutor(tx) });
        return inserted;
      });
      return row;
    } catch (error) {
      await deleteKeys(keys);
      throw error;
    }
  }

  async function deleteKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await blobs.delete(key).catch((error: unknown) => {
        logger.error({ err: error, key }, 'could not delete a stored file');
      });
    }
  }

  return {
    keysOf(row: Pick<AttachmentRow, 'storageKey' | 'previewKey'>): string[] {
      const previews = row.previewKey
        ? (Object.keys(previewSizes) as PreviewSize[]).map((size) =>
            previewKey(row.previewKey ?? '', size),
          )
        : [];
      return [row.storageKey, ...previews];
    },

    deleteKeys,

    /** Checks every part, then keeps them all; on any failure nothing is kept. */
    async receive(
      actor: Principal,
      ticketId: string | null,
      parts: AsyncIterable<UploadPart> | Iterable<UploadPart>,
    ): Promise<AttachmentRow[]> {
      const staged: StagedFile[] = [];
      const kept: AttachmentRow[] = [];
      try {
        for await (const part of parts) {
          staged.push(await stageUpload(part.file, part.filename, stagingDir));
        }
        if (staged.length === 0) {
          throw new DomainError(422, 'Send at least one file', 'invalid', [
            { field: 'file', message: 'no file in the multipart body' },
          ]);
        }
        for (const file of staged) kept.push(await keep(actor, ticketId, file));
        return kept;
      } catch (error) {
        if (kept.length > 0) {
          const ids = kept.map((row) => row.id);
          await db.delete(attachments).where(inArray(attachments.id, ids));
          await deleteKeys(kept.flatMap((row) => this.keysOf(row)));
        }
        throw error;
      } finally {
        await Promise.all(staged.map(discardStaged));
      }
    },

    /** A Telegram file (`getFile` and the download, in `telegram/`) as an upload part. */
    async downloadTelegramFile(fileId: string, fileName?: string): Promise<UploadPart> {
      if (!deps.telegramFiles) throw new Error('the bot is not configured: no TELEGRAM_BOT_TOKEN');
      const file = await deps.telegramFiles.download(fileId);
      return { file: file.body, filename: fileName ?? file.name };
    },

    /** Scans a stored file again; infected ones move to quarantine and lose their previews. */
    async rescan(id: string): Promise<void> {
      const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
      if (row?.scanStatus !== 'pending') return;
      const body = await blobs.get(row.storageKey);
      if (!body) return;
      // A failure throws, and the job is retried later.
      const verdict = await scanner.scan(body);
      if (!verdict.infected) {
        await db.update(attachments).set({ scanStatus: 'clean' }).where(eq(attachments.id, id));
        return;
      }
      const quarantine = `quarantine/${id}`;
      const bytes = await blobs.get(row.storageKey);
      if (bytes) await blobs.put(quarantine, bytes);
      const [updated] = await db
        .update(attachments)
        .set({ scanStatus: 'infected', storageKey: quarantine, previewKey: null })
        .where(eq(attachments.id, id))
        .returning();
      await deleteKeys(this.keysOf(row));
      if (updated) await alertInfected(updated);
    },
  };
}
