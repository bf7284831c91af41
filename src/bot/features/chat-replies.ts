import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { DomainError } from '../../errors.js';
import type { BotDeps } from '../bot.js';
import type { BotContext } from '../context.js';
import {
  createTicketMessages,
  type TicketMessages,
  type TicketMessageSubject,
} from '../../telegram/ticket-messages.js';
import { commandOf } from './support.js';
import { incomingFile, type IncomingFile } from './support/form-input.js';

/** The API's limit of a message's content (`POST /tickets/{id}/messages`). */
export const replyContentLimit = 4000;

/** Telegram's Bot API hands out files up to 20 MB through `getFile`; larger ones cannot come. */
const telegramDownloadLimit = 20 * 1024 * 1024;

/** Why a reply's file was not attached. */
type FileRefusal = 'size' | 'type' | 'unavailable';

/** The file of the reply, attached to the ticket; or why not. */
type Attached = { id: string } | { refused: FileRefusal };

/** A service refusal that concerns the ticket itself, not the reply's file. */
function isTicketRefusal(error: DomainError): boolean {
  return error.status === 404 || error.code === 'ticket_closed';
}

/**
 * Downloads the reply's file into the ticket through the files pipeline (same checks as an
 * upload). Refusals of the file come back as a reason; those of the ticket are thrown.
 */
async function attach(
  ctx: BotContext,
  deps: BotDeps,
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
    if (!(error instanceof DomainError) || isTicketRefusal(error)) throw error;
    if (error.status === 413) return { refused: 'size' };
    if (error.status === 415) return { refused: 'type' };
    return { refused: 'unavailable' };
  }
}

/** What the service's refusal means to the user who replied. */
function refusalText(ctx: BotContext, error: DomainError, ticketNumber: number): string {
  const t = ctx.t.common;
  if (error.status === 404) return t.reply_ticket_gone;
  if (error.code === 'ticket_closed') return t.reply_ticket_closed(ticketNumber);
  return t.reply_refused(error.message);
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

/**
 * Adds the reply to the ticket: its text (or caption) and its file. A refused file does not
 * lose the text: the text is added and the answer says the file was not. A file without text
 * is added with its name as the message, since a message needs text. A reply to a staff-only
 * message (an internal note's notice) is an internal note, and the answer says so.
 */
async function addReply(
  ctx: BotContext,
  deps: BotDeps,
  ticketMessages: TicketMessages,
  subject: TicketMessageSubject,
  message: Message,
): Promise<void> {
  const { ticketId, internal } = subject;
  const t = ctx.t.common;
  const text = (message.text ?? message.caption ?? '').trim();
  const file = incomingFile(message, ctx.t.support.photo_name);
  if (!text && !file) {
    await ctx.reply(t.reply_unsupported);
    return;
  }
  if (text.length > replyContentLimit) {
    await ctx.reply(t.reply_too_long(replyContentLimit));
    return;
  }
  const ticketNumber = await deps.tickets.numberOf(ticketId);
  if (ticketNumber === null) {
    await ctx.reply(t.reply_ticket_gone);
    return;
  }
  try {
    const attached = file ? await attach(ctx, deps, ticketId, file) : undefined;
    const refused = attached && 'refused' in attached ? attached.refused : undefined;
    if (refused && !text) {
      await ctx.reply(t.reply_file_refused(refused, false));
      return;
    }
    const attachmentIds = attached && 'id' in attached ? [attached.id] : [];
    await deps.messages.create(ctx.principal, ticketId, {
      content: text || `📎 ${file?.name ?? ''}`,
      is_internal: internal,
      attachment_ids: attachmentIds,
    });
    const sent = await ctx.reply(confirmation(ctx, subject, ticketNumber, refused));
    await ticketMessages.record(sent.chat.id, sent.message_id, subject);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await ctx.reply(refusalText(ctx, error, ticketNumber), { parse_mode: 'HTML' });
  }
}

/**
 * Conversations in the chat: a reply (Telegram's reply feature) to a bot message about a
 * ticket (a notification, a ticket card, a confirmation) adds a message to that ticket, with
 * a photo or document as an attachment; customers and staff alike (a reply to a staff-only
 * notice stays an internal note). Replies to other messages,
 * and commands, go on to the next feature.
 */
export function chatRepliesFeature(deps: BotDeps): Composer<BotContext> {
  const ticketMessages = createTicketMessages(deps.database.db);
  const composer = new Composer<BotContext>();

  composer.on('message', async (ctx, next) => {
    const repliedTo = ctx.message.reply_to_message;
    if (!repliedTo || commandOf(ctx.message) !== undefined) return next();
    const subject = await ticketMessages.subjectOf(ctx.chat.id, repliedTo.message_id);
    if (!subject) return next();
    await addReply(ctx, deps, ticketMessages, subject, ctx.message);
  });
  return composer;
}
