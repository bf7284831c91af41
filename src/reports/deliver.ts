import { buffer } from 'node:stream/consumers';
import { GrammyError, InputFile, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { UserService } from '../users/service.js';
import { periodLabel } from './period.js';
import type { ReportFile } from './service.js';
import { reportTexts } from './texts.js';

/** Telegram's limit of a document a bot sends (https://core.telegram.org/bots/api#senddocument). */
export const maxDocumentBytes = 50 * 1024 * 1024;

/** A report's whole content (a spreadsheet's stream read to its end). */
export async function bytesOf(file: Pick<ReportFile, 'body'>): Promise<Buffer> {
  return Buffer.isBuffer(file.body) ? file.body : buffer(file.body);
}

/** What delivering a report to a chat takes. */
export interface ReportDeliveryDeps {
  api: Api;
  users: Pick<UserService, 'markBotBlocked'>;
  clock: Clock;
  logger: Logger;
}

/** How a delivery ended: sent, replaced by a message (over 50 MB), or refused by the user (403). */
export type DeliveryOutcome = 'sent' | 'too_large' | 'blocked';

/**
 * Sends `file` to a user's private chat as a document (multipart upload) with `text` as its
 * caption (Telegram HTML, at most 1024 characters), or, over Telegram's 50 MB, a message saying
 * so. A 403 (they blocked the bot, or never started it) marks them unreachable instead of
 * failing; any other refusal or outage is thrown, so the job is tried again.
 */
export async function deliverReport(
  deps: ReportDeliveryDeps,
  to: { userId: string; chatId: number },
  file: ReportFile,
  text?: string,
): Promise<DeliveryOutcome> {
  const { api, users, clock, logger } = deps;
  const { report } = file;
  const texts = reportTexts(report.language);
  const period = periodLabel(report.overview.from, report.overview.to, report.overview.time_zone);
  const bytes = await bytesOf(file);
  try {
    if (bytes.length > maxDocumentBytes) {
      await api.sendMessage(to.chatId, texts.tooLarge(period));
      return 'too_large';
    }
    await api.sendDocument(to.chatId, new InputFile(bytes, file.name), {
      caption: text ?? texts.caption(period),
      parse_mode: 'HTML',
    });
    return 'sent';
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 403) {
      await users.markBotBlocked(to.userId, clock.now());
      logger.info(
        { userId: to.userId },
        'report not sent: the user does not take the bot’s messages',
      );
      return 'blocked';
    }
    throw error;
  }
}
