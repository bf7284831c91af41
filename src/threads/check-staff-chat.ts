import { GrammyError, HttpError, type Api } from 'grammy';

/**
 * Why the bot cannot keep ticket topics in this chat, asked of Telegram (`getChat`,
 * `getChatMember`), in words an admin can act on; undefined when it can: the chat is a
 * supergroup with topics, and the bot an administrator with the "Manage topics" right
 * (https://core.telegram.org/bots/api#createforumtopic).
 */
export async function staffChatProblem(api: Api, chatId: number): Promise<string | undefined> {
  try {
    const chat = await api.getChat(chatId);
    if (chat.type !== 'supergroup' || chat.is_forum !== true) {
      return 'is not a group with topics: turn on Topics in the group’s settings';
    }
    const botId = Number(api.token.split(':')[0]);
    const member = await api.getChatMember(chatId, botId);
    if (member.status !== 'administrator' && member.status !== 'creator') {
      return 'the bot is not an administrator of this group: make it one, with "Manage topics"';
    }
    if (member.status === 'administrator' && !member.can_manage_topics) {
      return 'the bot may not manage topics there: give it the "Manage topics" right';
    }
    return undefined;
  } catch (error) {
    if (error instanceof GrammyError) {
      return `Telegram does not let the bot see this chat (${error.description}): add the bot to the group first`;
    }
    if (error instanceof HttpError) return 'Telegram could not be reached to check it; try again';
    throw error;
  }
}
