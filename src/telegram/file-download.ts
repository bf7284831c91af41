import path from 'node:path';
import { Readable } from 'node:stream';
import { HttpError } from 'grammy';
import { DomainError } from '../errors.js';
import { botApiTimeoutS, createBotApi, type BotApiTarget } from './bot-api.js';

/**
 * 502: Telegram would not give the file: `getFile` refused or failed, the download answered
 * an error, broke off, or took longer than the Bot API time-out.
 */
export class TelegramFileUnavailable extends DomainError {
  constructor(detail: string) {
    super(502, `Telegram did not give the file: ${detail}`, 'telegram_file_unavailable');
  }
}

/** A Telegram file on its way: its bytes as they arrive, and the name Telegram stores it under. */
export interface TelegramFile {
  body: Readable;
  /** The last part of Telegram's `file_path` (`file_7.jpg`). */
  name: string;
}

/** Downloads files people sent the bot. */
export interface TelegramFiles {
  /**
   * `getFile`, then the download from the Bot API's file endpoint
   * (https://core.telegram.org/bots/api#getfile). Every failure, a time-out included, is a
   * {@link TelegramFileUnavailable}, also when the body breaks off while it is read.
   */
  download(fileId: string): Promise<TelegramFile>;
}

/** A time-out, whether grammY's (an `HttpError` around its own error) or an `AbortSignal`'s. */
function isTimeout(error: unknown): boolean {
  const cause = error instanceof HttpError ? error.error : error;
  if (!(cause instanceof Error)) return false;
  return cause.name === 'TimeoutError' || /timed out/.test(cause.message);
}

/** Words for the failure; a time-out says how long it waited. */
function unavailable(error: unknown, timeoutS: number): TelegramFileUnavailable {
  if (isTimeout(error)) return new TelegramFileUnavailable(`no answer within ${timeoutS} s`);
  return new TelegramFileUnavailable(error instanceof Error ? error.message : String(error));
}

/** The body as it arrives; a break (the time-out's abort included) becomes `unavailable`. */
async function* relay(body: Readable, timeoutS: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    throw unavailable(error, timeoutS);
  }
}

/**
 * Telegram file downloads through the one Bot API client (`TELEGRAM_API_ROOT`, the Bot API
 * time-out for `getFile` and again for the whole download).
 */
export function createTelegramFiles(target: BotApiTarget): TelegramFiles {
  const { token, apiRoot } = target;
  const timeoutS = target.timeoutS ?? botApiTimeoutS;
  const api = createBotApi({ token, apiRoot, timeoutS });
  return {
    async download(fileId) {
      const info = await api.getFile(fileId).catch((error: unknown) => {
        throw unavailable(error, timeoutS);
      });
      if (!info.file_path) throw new TelegramFileUnavailable('no file_path');
      const response = await fetch(`${apiRoot}/file/bot${token}/${info.file_path}`, {
        signal: AbortSignal.timeout(timeoutS * 1000),
      }).catch((error: unknown) => {
        throw unavailable(error, timeoutS);
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new TelegramFileUnavailable(`download answered ${response.status}`);
      }
      return {
        body: Readable.from(relay(Readable.fromWeb(response.body), timeoutS), {
          objectMode: false,
        }),
        name: path.posix.basename(info.file_path),
      };
    },
  };
}
