import type { Composer } from 'grammy';
import { can, type Permission } from '../auth/permissions.js';
import type { BotContext } from './context.js';

/** A filter passing senders whose role has `permission` (`auth/permissions.ts`). */
export function allowed(permission: Permission): (ctx: BotContext) => boolean {
  return (ctx) => can(ctx.user.role, permission);
}

/** Tells the sender the command is not theirs: on the pressed button, or as a reply. */
export async function refuse(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t.common.not_allowed });
  else await ctx.reply(ctx.t.common.not_allowed);
}

/** The commands and buttons a guarded part of a feature refuses to everyone else. */
export interface Refused {
  commands?: string[];
  callbacks?: (string | RegExp)[];
}

/**
 * The part of `composer` that only senders with `permission` reach, declared where the commands
 * are: its `refused` commands and buttons are answered with `refuse` for anyone else, whose
 * other updates go on to the next feature.
 */
export function guard(
  composer: Composer<BotContext>,
  permission: Permission,
  refused: Refused,
): Composer<BotContext> {
  const others = composer.drop(allowed(permission));
  if (refused.commands) others.command(refused.commands, refuse);
  if (refused.callbacks) others.callbackQuery(refused.callbacks, refuse);
  return composer.filter(allowed(permission));
}
