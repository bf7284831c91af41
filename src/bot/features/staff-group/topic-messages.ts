import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { refusalText } from '../../refusals.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { inStaffTopic } from '../../../threads/origin.js';
import { displayName } from '../../../threads/outbox.js';
import { staffTextsFor } from '../../../threads/texts.js';
import { fillCannedText } from '../canned-replies.js';
import { incomingFile } from '../support/form-input.js';

/** What the topic's messages call. */
export type TopicMessageDeps = Pick<
  BotDeps,
  'messages' | 'files' | 'settings' | 'staffStore' | 'state' | 'logger' | 'cannedReplies'
>;

/** The API's limit of a message's content. */
const contentLimit = 4000;

/** A staff message starting with `/note` or `!` is an internal note: its text, and that it is. */
export function noteOf(text: string): { content: string; internal: boolean } {
  const note = /^(?:\/note(?:@\w+)?(?=\s|$)|!)\s*/i.exec(text);
  return note
    ? { content: text.slice(note[0].length).trim(), internal: true }
    : { content: text.trim(), internal: false };
}

/** The ticket message a staff member's Telegram message became, to follow its edits. */
interface Written {
  messageId: string;
  internal: boolean;
}

const writtenKey = (chatId: number, messageId: number) => `${chatId}:${messageId}`;

/**
 * Staff writing in a ticket's topic: a message becomes a staff message on the ticket (its
 * photo or document attached), which the notifications deliver to the customer (signed with
 * the writer's name when `staff_chat.sign_replies` says so); one starting with `/note` or `!`
 * stays an internal note. Editing it in Telegram edits the ticket's message. A refusal (the
 * ticket closed, a file refused) is answered in the topic. Messages outside a ticket's topic
 * (the group's General topic) are left alone.
 */
export function topicMessagesFeature(deps: TopicMessageDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const written = deps.state.storage<Written>('staff-group-message');

  async function ticketOf(message: Message): Promise<string | undefined> {
    if (!message.is_topic_message || message.message_thread_id === undefined) return undefined;
    return deps.staffStore.ticketOfThread(message.chat.id, message.message_thread_id);
  }

  async function refuse(ctx: BotContext, message: Message, error: unknown): Promise<void> {
    const why = refusalText(error, ctx.t);
    if (why === undefined) throw error;
    await ctx.reply(staffTextsFor(ctx.language).message_refused(why), {
      parse_mode: 'HTML',
      reply_parameters: { message_id: message.message_id },
    });
  }

  composer.on('message', async (ctx) => {
    const message = ctx.message;
    const ticketId = await ticketOf(message);
    if (!ticketId) return;
    const raw = message.text ?? message.caption ?? '';
    const command = /^\/(\w+)/.exec(raw)?.[1];
    if (command !== undefined && command.toLowerCase() !== 'note') return;
    const file = incomingFile(message, ctx.t.support.photo_name);
    const { content: typed, internal } = noteOf(raw);
    if (!typed && !file) return;
    const { sign_replies } = (await deps.settings.current()).staff_chat;
    try {
      // A canned reply sent through the inline mode gets the ticket's placeholders filled here.
      const content = await fillCannedText(ctx, deps, ticketId, message, typed);
      const attached = file
        ? await deps.files.ingestTelegramFile(ctx.principal, {
            file_id: file.fileId,
            ticket_id: ticketId,
            ...(file.fileName ? { file_name: file.fileName } : {}),
          })
        : undefined;
      const signature = sign_replies
        ? displayName({ first_name: ctx.user.firstName, last_name: ctx.user.lastName })
        : null;
      const created = await inStaffTopic({ signature }, () =>
        deps.messages.create(ctx.principal, ticketId, {
          content: (content || `📎 ${file?.name ?? ''}`).slice(0, contentLimit),
          is_internal: internal,
          attachment_ids: attached ? [attached.id] : [],
        }),
      );
      await written.write(writtenKey(message.chat.id, message.message_id), {
        messageId: created.id,
        internal,
      });
    } catch (error) {
      await refuse(ctx, message, error);
    }
  });

  composer.on('edited_message', async (ctx) => {
    const message = ctx.editedMessage;
    const known = await written.read(writtenKey(message.chat.id, message.message_id));
    if (!known) return;
    const { content } = noteOf(message.text ?? message.caption ?? '');
    if (!content) return;
    try {
      await inStaffTopic({ signature: null }, () =>
        deps.messages.update(ctx.principal, known.messageId, {
          content: content.slice(0, contentLimit),
        }),
      );
    } catch (error) {
      await refuse(ctx, message, error);
    }
  });
  return composer;
}
