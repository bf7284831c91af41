import { GrammyError } from 'grammy';

/**
 * True for Telegram's 400 "message is not modified": an edit to the same text and buttons
 * (a refresh with nothing new), which is harmless.
 */
export function isNotModified(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /message is not modified/i.test(error.description)
  );
}
