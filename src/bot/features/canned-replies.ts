import { Composer } from 'grammy';
import type { InlineQueryResultArticle, Message } from 'grammy/types';
import { isStaff } from '../../auth/permissions.js';
import type { CannedReplyDto } from '../../canned-replies/schemas.js';
import { fillPlaceholders, personName } from '../../canned-replies/placeholders.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { allowed } from '../guard.js';

/** What the inline mode and the filling of its messages call. */
export type CannedReplyDeps = Pick<BotDeps, 'cannedReplies'>;

/** Telegram takes at most 50 results per answer (https://core.telegram.org/bots/api#answerinlinequery). */
const maxResults = 50;
/** And at most 4096 characters of a message's text. */
const maxMessageText = 4096;
/** How long Telegram may keep an answer: short, so a reply just edited shows soon. */
const cacheSeconds = 5;
/** Characters of the body shown under a result's title. */
const previewLength = 100;

/** Exact shortcut first (what `@bot refund` means), then the rest in the list's order. */
function byShortcutMatch(query: string) {
  const wanted = query.trim().toLowerCase();
  return (a: CannedReplyDto, b: CannedReplyDto) =>
    Number(b.shortcut === wanted) - Number(a.shortcut === wanted);
}

/**
 * One canned reply as an inline result: its title, its shortcut and the start of its body, and
 * the body to send with the agent's name filled. The customer's name and the ticket's number
 * are not known yet (Telegram does not say where the message will go): they stay as
 * placeholders until the message becomes a ticket reply (`fillCannedText`).
 */
function toResult(ctx: BotContext, reply: CannedReplyDto): InlineQueryResultArticle {
  const agentName = personName({ first_name: ctx.user.firstName, last_name: ctx.user.lastName });
  const text = fillPlaceholders(reply.body, { agent_name: agentName }, ctx.language);
  const line = reply.body.replace(/\s+/g, ' ');
  const preview = line.length > previewLength ? `${line.slice(0, previewLength - 1)}…` : line;
  return {
    type: 'article',
    id: reply.id,
    title: reply.title,
    description: `/${reply.shortcut} · ${preview}`,
    input_message_content: { message_text: text.slice(0, maxMessageText) },
  };
}

/**
 * The text of a staff member's message, its canned reply's placeholders filled for the ticket
 * it answers when it was sent through the bot's inline mode (`via_bot` is this bot); any other
 * message's text as it is, so nobody's `{customer_name}` typed by hand is touched.
 */
export async function fillCannedText(
  ctx: BotContext,
  deps: CannedReplyDeps,
  ticketId: string,
  message: Message,
  text: string,
): Promise<string> {
  if (message.via_bot?.id !== ctx.me.id || !isStaff(ctx.user.role)) return text;
  return deps.cannedReplies.fillForTicket(ctx.principal, ticketId, text);
}

/**
 * Inline mode: staff type `@bot <shortcut or words>` in any chat and pick one of their canned
 * replies (own and shared) to send. Answers are personal and cached briefly; everyone else gets
 * an empty answer, so nothing of the replies shows to customers.
 */
export function cannedRepliesFeature(deps: CannedReplyDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const inline = composer.on('inline_query');
  inline.drop(allowed('canned_replies.use'), (ctx) =>
    ctx.answerInlineQuery([], { cache_time: cacheSeconds, is_personal: true }),
  );
  inline.filter(allowed('canned_replies.use'), async (ctx) => {
    const query = ctx.inlineQuery.query.trim().slice(0, 100);
    const page = await deps.cannedReplies.list(ctx.principal, {
      ...(query ? { q: query } : {}),
      limit: maxResults,
    });
    const replies = [...page.items].sort(byShortcutMatch(query));
    await ctx.answerInlineQuery(
      replies.map((reply) => toResult(ctx, reply)),
      { cache_time: cacheSeconds, is_personal: true },
    );
  });
  return composer;
}
