import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { BlobStore } from '../platform/blob-store.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { Scanner } from '../platform/scanner.js';
import type { TelegramFiles } from '../telegram/file-download.js';
import type { FileUrls } from './file-urls.js';

/** An upload found infected and quarantined, as staff are told of it. */
export interface QuarantinedUpload {
  fileName: string;
  uploaderId: string;
  ticketId: string | null;
}

/** Tells staff that an upload carried malware (`notifications/malware-alert.ts`, when wired). */
export type AlertStaff = (upload: QuarantinedUpload) => Promise<void>;

/** What the files service needs. */
export interface FileServiceDeps {
  db: Db;
  clock: Clock;
  blobs: BlobStore;
  scanner: Scanner;
  urls: FileUrls;
  queue: JobQueue;
  logger: Logger;
  /** Where uploads are received before they are checked (`DATA_DIR/uploads`). */
  stagingDir: string;
  /** Downloads of files sent to the bot, for ingesting them; absent when the bot is off. */
  telegramFiles?: TelegramFiles;
  alertStaff?: AlertStaff;
  /** Whether a user is blocked (the users service's cached access), for signed links. */
  userAccess: (userId: string) => Promise<{ is_active: boolean } | undefined>;
}
