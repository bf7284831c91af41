import type { CannedReply } from '../api/types';
import type { Language } from '../i18n';

/** A `/query` being typed: where its line starts and what follows the slash. */
export interface SlashQuery {
  start: number;
  query: string;
}

/**
 * The `/query` typed at the start of the message or of a line, up to the caret; undefined when
 * the caret is not in one.
 */
export function slashQuery(text: string, caret: number): SlashQuery | undefined {
  const start = text.lastIndexOf('\n', caret - 1) + 1;
  const match = /^\/([^\n/]{0,40})$/.exec(text.slice(start, caret));
  return match ? { start, query: match[1] ?? '' } : undefined;
}

/** How near a reply's language is to the customer's: theirs, then any, then another. */
function languageRank(reply: CannedReply, customer: Language | undefined): number {
  if (reply.language === customer) return 0;
  return reply.language === 'any' ? 1 : 2;
}

/**
 * The replies whose shortcut, title or body hold every word of `query`, the customer's language
 * first, then those whose shortcut starts with the query, then by shortcut.
 */
export function matchingReplies(
  replies: readonly CannedReply[],
  query: string,
  customer: Language | undefined,
): CannedReply[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const first = words[0] ?? '';
  const found = replies.filter((reply) => {
    const haystack = `${reply.shortcut}\n${reply.title}\n${reply.body}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  return found.sort(
    (a, b) =>
      languageRank(a, customer) - languageRank(b, customer) ||
      Number(!a.shortcut.startsWith(first)) - Number(!b.shortcut.startsWith(first)) ||
      a.shortcut.localeCompare(b.shortcut),
  );
}
