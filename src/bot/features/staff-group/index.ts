import { Composer, type MiddlewareFn } from 'grammy';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { cardButtonsFeature } from './card-buttons.js';
import { identifyMember } from './member.js';
import { topicMessagesFeature } from './topic-messages.js';

/** What the staff group's handling calls. */
export type StaffGroupDeps = Pick<
  BotDeps,
  | 'users'
  | 'tickets'
  | 'cannedReplies'
  | 'messages'
  | 'files'
  | 'settings'
  | 'staffStore'
  | 'state'
  | 'logger'
  | 'config'
>;

/**
 * Updates from group chats: those of the staff group (`staff_chat.chat_id`) go to its features
 * (the card's buttons, staff writing in ticket topics), with its own way of knowing who acts
 * (`member.ts`); every other group's updates are dropped here. Private chats go on.
 */
export function staffGroupGate(deps: StaffGroupDeps): MiddlewareFn<BotContext> {
  const features = new Composer<BotContext>();
  features.use(identifyMember(deps));
  features.use(cardButtonsFeature(deps));
  features.use(topicMessagesFeature(deps));
  const handle = features.middleware();
  return async (ctx, next) => {
    const chat = ctx.chat;
    if (!chat || chat.type === 'private') return next();
    if (ctx.myChatMember) return;
    const { chat_id } = (await deps.settings.current()).staff_chat;
    if (chat_id === null || chat.id !== chat_id) return;
    await handle(ctx, () => Promise.resolve());
  };
}
