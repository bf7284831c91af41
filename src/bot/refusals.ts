import type { BotError } from 'grammy';
import type { UserRole } from '../db/schema.js';
import { DomainError } from '../errors.js';
import type { BotContext } from './context.js';
import type { BotTexts } from './texts/index.js';
import type { RefusalKind } from './texts/refusals.js';

/**
 * What the user was doing when a service refused, where the words should say so: a button of
 * the /admin panel, `/role` giving `role`, opening ticket `number`, a reply to ticket `number`,
 * choosing the /support form's category, or a file `name` sent into the form.
 */
export type Doing =
  | { what: 'panel' }
  | { what: 'role'; role: UserRole }
  | { what: 'ticket'; number: number }
  | { what: 'reply'; number: number }
  | { what: 'category' }
  | { what: 'file'; name: string };

const byCode: Record<string, RefusalKind | undefined> = {
  ticket_closed: 'ticket_closed',
  own_role: 'own_role',
  last_owner: 'last_owner',
};

const byStatus: Record<number, RefusalKind | undefined> = {
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_type',
  422: 'invalid',
};

/**
 * The kind of a service's refusal (a domain error), or undefined for any other error: a real
 * failure, which the bot's error handler logs and apologises for.
 */
export function refusalKind(error: unknown): RefusalKind | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const coded = error.code === undefined ? undefined : byCode[error.code];
  return coded ?? byStatus[error.status] ?? 'unavailable';
}

/** The words of a refusal that fit what the user was doing, if it has words of its own. */
function wordsFor(t: BotTexts, kind: RefusalKind, doing: Doing): string | undefined {
  switch (doing.what) {
    case 'panel': {
      const panel: Partial<Record<RefusalKind, string>> = {
        forbidden: t.admin.refused_forbidden,
        not_found: t.admin.refused_not_found,
        conflict: t.admin.refused_conflict,
        ticket_closed: t.admin.refused_conflict,
        invalid: t.admin.refused_invalid,
      };
      return panel[kind];
    }
    case 'role': {
      const role: Partial<Record<RefusalKind, string>> = {
        forbidden: t.admin.role_not_allowed(doing.role),
        own_role: t.admin.role_own,
        last_owner: t.admin.role_last_owner,
      };
      return role[kind];
    }
    case 'ticket':
      return kind === 'not_found' ? t.common.ticket_not_found(doing.number) : undefined;
    case 'reply':
      if (kind === 'not_found') return t.common.reply_ticket_gone;
      if (kind === 'ticket_closed') return t.common.reply_ticket_closed(doing.number);
      return t.common.reply_refused(t.refusals[kind]);
    case 'category':
      return t.support.category_unavailable;
    case 'file':
      if (kind === 'too_large') return t.support.file_refused_size(doing.name);
      if (kind === 'unsupported_type') return t.support.file_refused_type(doing.name);
      return t.support.file_unavailable(doing.name);
  }
}

/**
 * The one place a service's refusal (a domain error: not found, forbidden, conflict,
 * invalid…) becomes words for the user, in their language (`t`), fitted to what they were
 * doing. Undefined for any other error.
 */
export function refusalText(error: unknown, t: BotTexts, doing?: Doing): string | undefined {
  const kind = refusalKind(error);
  if (kind === undefined) return undefined;
  return (doing && wordsFor(t, kind, doing)) ?? t.refusals[kind];
}

/** A service call's result, or the words of its refusal. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; words: string };

/**
 * Runs a service call for a handler that goes on after a refusal (to show a note, say):
 * a refusal comes back as its words (`refusalText`), any other error is thrown on.
 */
export async function attempt<T>(
  ctx: BotContext,
  doing: Doing,
  call: () => Promise<T>,
): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const words = refusalText(error, ctx.t, doing);
    if (words === undefined) throw error;
    return { ok: false, words };
  }
}

/**
 * The error boundary's handler around the bot's features (`composer.errorBoundary`): a refusal
 * no handler took is answered in the user's words, on the pressed button or as a reply; any
 * other error goes on to the bot's error handler.
 */
export async function answerRefusal(err: BotError<BotContext>): Promise<void> {
  const { ctx, error } = err;
  const words = refusalText(error, ctx.t);
  if (words === undefined) throw error;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: words });
  else await ctx.reply(words, { parse_mode: 'HTML' });
}
