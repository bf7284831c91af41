import type { MiddlewareFn } from 'grammy';
import { isStaff } from '../../../auth/permissions.js';
import { languageOf } from '../../../i18n/language.js';
import { staffTextsFor } from '../../../threads/texts.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { textsFor } from '../../texts/index.js';

/** Answers someone the staff group does not take: on the pressed button, or in the topic. */
async function turnAway(ctx: BotContext, words: string): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: words, show_alert: true });
  else if (ctx.message)
    await ctx.reply(words, { reply_parameters: { message_id: ctx.message.message_id } });
}

/**
 * Sets who acts in the staff group: a staff member as they are; someone who is not a user yet
 * is created with the settings' `staff_chat.member_role` on their first action (audited), or
 * refused when that is `none`; a customer, or a blocked account, is refused. Refusals are
 * answered on the button or in the topic, in the sender's language.
 */
export function identifyMember(
  deps: Pick<BotDeps, 'users' | 'settings'>,
): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const language = languageOf(from.language_code);
    const words = staffTextsFor(language);
    let user = await deps.users.findByTelegramId(from.id);
    if (!user) {
      const { member_role } = (await deps.settings.current()).staff_chat;
      if (member_role === 'none') {
        await turnAway(ctx, words.member_refused);
        return;
      }
      user = await deps.users.joinFromStaffGroup(
        {
          id: from.id,
          first_name: from.first_name,
          ...(from.last_name ? { last_name: from.last_name } : {}),
          ...(from.username ? { username: from.username } : {}),
          ...(from.language_code ? { language_code: from.language_code } : {}),
        },
        member_role,
      );
    }
    ctx.user = user;
    ctx.language = languageOf(user.languageCode ?? from.language_code);
    ctx.t = textsFor(ctx.language);
    ctx.principal = { userId: user.id, role: user.role, sessionId: '' };
    if (!user.isActive) {
      await turnAway(ctx, ctx.t.common.account_blocked);
      return;
    }
    if (!isStaff(user.role)) {
      await turnAway(ctx, words.customer_refused);
      return;
    }
    await next();
  };
}
