import { DomainError } from '../../../errors.js';
import type { AdminTexts } from '../../texts/admin.js';

/**
 * The short answer to a panel button the services refused (403, 404, 409, 422), or undefined
 * for anything else, which is a real failure and goes to the bot's error handler.
 */
export function refusalText(error: unknown, texts: AdminTexts): string | undefined {
  if (!(error instanceof DomainError)) return undefined;
  switch (error.status) {
    case 403:
      return texts.refused_forbidden;
    case 404:
      return texts.refused_not_found;
    case 409:
      return texts.refused_conflict;
    case 422:
      return texts.refused_invalid;
    default:
      return undefined;
  }
}
