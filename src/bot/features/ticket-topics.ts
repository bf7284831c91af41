import { Composer } from 'grammy';
import { commandOf } from '../command-of.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { addReply, type ReplyDeps } from './chat-replies.js';

/**
 * Messages in a ticket's topic (the customer's private chat with the bot, where the bot has
 * topics: `customer-topics/`): text, photos and documents join that ticket as a reply to its
 * card would, answered only when something was refused (the topic says where it went).
 * Commands, and messages in the main chat or in a topic that is no ticket's, go on to the next
 * feature (a reply to a ticket message, else the offer of a new ticket).
 */
export function ticketTopicsFeature(
  deps: ReplyDeps & Pick<BotDeps, 'customerTopics'>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const topics = deps.customerTopics;
  if (!topics) return composer;

  composer.on('message', async (ctx, next) => {
    const threadId = ctx.message.is_topic_message ? ctx.message.message_thread_id : undefined;
    if (threadId === undefined || commandOf(ctx.message) !== undefined) return next();
    const ticketId = await topics.ticketOfThread(ctx.chat.id, threadId);
    if (!ticketId) return next();
    await addReply(ctx, deps, { ticketId, internal: false }, ctx.message, { confirm: false });
  });
  return composer;
}
