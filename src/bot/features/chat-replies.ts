import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { commandOf } from '../command-of.js';
import type { BotContext } from '../context.js';
import type { TicketMessageSubject } from '../../telegram/ticket-messages.js';
import type { BotDeps } from '../deps.js';
import { attempt, refusalKind } from '../refusals.js';
import { fillCannedText } from './canned-replies.js';
import { incomingFile, type IncomingFile } from './support/form-input.js';

/** What replies to ticket messages call. */
export type ReplyDeps = Pick<
  BotDeps,
  'tickets' | 'messages' | 'files' | 'ticketMessages' | 'clock' | 'cannedReplies'
>;

/** The API's limit of a message's content (`POST /tickets/{id}/messages`). */
export const replyContentLimit = 4000;

/** Telegram's Bot API hands out files up to 20 MB through `getFile`; larger ones cannot come. */
const telegramDownloadLimit = 20 * 1024 * 1024;

/** Why a reply's file was not attached. */
type FileRefusal = 'size' | 'type' | 'unavailable';

/** The file of the reply, attached to the ticket; or why not. */
type Attached = { id: string } | { refused: FileRefusal };

/**
 * Downloads the reply's file into the ticket through the files pipeline (same checks as an
 * upload). Refusals of the file come back as a reason; those of the ticket are thrown.
 */
async function attach(
  ctx: BotContext,
  deps: Pick<ReplyDeps, 'files'>,
  ticketId: string,
  file: IncomingFile,
): Promise<Attached> {
  if (file.size !== undefined && file.size > telegramDownloadLimit) return { refused: 'size' };
  try {
    const stored = await deps.files.ingestTelegramFile(ctx.principal, {
      file_id: file.fileId,
      ticket_id: ticketId,
      ...(file.fileName ? { file_name: file.fileName } : {}),
    });
    return { id: stored.id };
  } catch (error) {
    // Refusals of the ticket itself are the reply's, told by `addReply`.
    const kind = refusalKind(error);
    if (kind === undefined || kind === 'not_found' || kind === 'ticket_closed') throw error;
    if (kind === 'too_large') return { refused: 'size' };
    if (kind === 'unsupported_type') return { refused: 'type' };
    return { refused: 'unavailable' };
  }
}

/** The answer to a reply that was added: where, whether it stayed internal, a refused file. */
function confirmation(
  ctx: BotContext,
  subject: TicketMessageSubject,
  ticketNumber: number,
  refused: FileRefusal | undefined,
): string {
  const t = ctx.t.common;
  return [
    subject.internal ? t.reply_added_internal(ticketNumber) : t.reply_added(ticketNumber),
    ...(refused ? [t.reply_file_refused(refused, true)] : []),
  ].join('\n');
}

/** What became of a reply: added (its file perhaps refused), or nothing added at all. */
type Outcome =
  | { added: true; messageId: string; refused?: FileRefusal }
  | { added: false; refused: FileRefusal };

/**
 * Attaches the reply's file and adds its message. A file refused without text to add adds
 * nothing; the ticket's own refusals are thrown.
 */
async function addToTicket(
  ctx: BotContext,
  deps: Pick<ReplyDeps, 'files' | 'messages'>,
  subject: TicketMessageSubject,
  text: string,
  file: IncomingFile | undefined,
): Promise<Outcome> {
  const attached = file ? await attach(ctx, deps, subject.ticketId, file) : undefined;
  const refused = attached && 'refused' in attached ? attached.refused : undefined;
  if (refused && !text) return { added: false, refused };
  const message = await deps.messages.create(ctx.principal, subject.ticketId, {
    content: text || `📎 ${file?.name ?? ''}`,
    is_internal: subject.internal,
    attachment_ids: attached && 'id' in attached ? [attached.id] : [],
  });
  return { added: true, messageId: message.id, ...(refused ? { refused } : {}) };
}

/**
 * Adds the reply to the ticket: its text (or caption) and its file. A refused file does not
 * lose the text: the text is added and the answer says the file was not. A file without text
 * is added with its name as the message, since a message needs text. A reply to a staff-only
 * message (an internal note's notice) is an internal note, and the answer says so. The user's
 * Telegram message is linked to the ticket message it became, so their edit of it follows
 * (`telegram-edits.ts`). Also used for a message written in a ticket's topic (`ticket-topics.ts`).
 */
export async function addReply(
  ctx: BotContext,
  deps: ReplyDeps,
  subject: TicketMessageSubject,
  message: Message,
  options: { confirm: boolean } = { confirm: true },
): Promise<void> {
  const t = ctx.t.common;
  const written = (message.text ?? message.caption ?? '').trim();
  const file = incomingFile(message, ctx.t.support.photo_name);
  if (!written && !file) {
    await ctx.reply(t.reply_unsupported);
    return;
  }
  const ticketNumber = await deps.tickets.numberOf(subject.ticketId);
  if (ticketNumber === null) {
    await ctx.reply(t.reply_ticket_gone);
    return;
  }
  // A canned reply sent through the inline mode gets the ticket's placeholders filled here.
  const text = await fillCannedText(ctx, deps, subject.ticketId, message, written);
  if (text.length > replyContentLimit) {
    await ctx.reply(t.reply_too_long(replyContentLimit));
    return;
  }
  const added = await attempt(ctx, { what: 'reply', number: ticketNumber }, () =>
    addToTicket(ctx, deps, subject, text, file),
  );
  if (!added.ok) {
    await ctx.reply(added.words, { parse_mode: 'HTML' });
    return;
  }
  const outcome = added.value;
  if (!outcome.added) {
    await ctx.reply(t.reply_file_refused(outcome.refused, false));
    return;
  }
  await deps.ticketMessages.record(message.chat.id, message.message_id, {
    ...subject,
    ticketMessageId: outcome.messageId,
    at: deps.clock.now(),
  });
  // In a ticket's topic the place says where it went: only a refused file is answered.
  if (!options.confirm && !outcome.refused) return;
  const sent = await ctx.reply(confirmation(ctx, subject, ticketNumber, outcome.refused));
  await deps.ticketMessages.record(sent.chat.id, sent.message_id, subject);
}

/**
 * Conversations in the chat: a reply (Telegram's reply feature) to a bot message about a
 * ticket (a notification, a ticket card, a confirmation) adds a message to that ticket, with
 * a photo or document as an attachment; customers and staff alike (a reply to a staff-only
 * notice stays an internal note). Replies to other messages,
 * and commands, go on to the next feature.
 */
export function chatRepliesFeature(deps: ReplyDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on('message', async (ctx, next) => {
    const repliedTo = ctx.message.reply_to_message;
    if (!repliedTo || commandOf(ctx.message) !== undefined) return next();
    const subject = await deps.ticketMessages.subjectOf(ctx.chat.id, repliedTo.message_id);
    if (!subject) return next();
    await addReply(ctx, deps, subject, ctx.message);
  });
  return composer;
}
