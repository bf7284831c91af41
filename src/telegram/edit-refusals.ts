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

/**
 * True for Telegram's 400 "message to edit not found" (the user deleted it) and its kin for a
 * deletion ("message to delete not found", "message can't be deleted/edited"): the copy cannot
 * follow any more, which is logged, never retried.
 */
export function isGoneOrFrozen(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /message to (edit|delete) not found|message can't be (edited|deleted)/i.test(error.description)
  );
}

/** True for Telegram's 400 "message thread not found": the topic was deleted (by the user). */
export function isThreadGone(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i.test(error.description)
  );
}

/** Telegram keeps a message editable and deletable by the bot for 48 hours after it was sent. */
export const telegramEditWindowMs = 48 * 3_600_000;
