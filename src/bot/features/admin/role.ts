import { Composer } from 'grammy';
import { can, canGrantRole } from '../../../auth/permissions.js';
import { userRoles, type UserRole, type UserRow } from '../../../db/schema.js';
import { DomainError } from '../../../errors.js';
import type { BotDeps } from '../../bot.js';
import type { BotContext } from '../../context.js';

function isRole(value: string): value is UserRole {
  return (userRoles as readonly string[]).includes(value);
}

/** How a user is named in answers: @username, else their first name. */
function nameOf(user: UserRow): string {
  return user.username ? `@${user.username}` : user.firstName;
}

/** The answer to a role change the users service refused, or undefined if it is no refusal. */
function refusalOf(ctx: BotContext, error: unknown, role: UserRole): string | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error.code === 'own_role') return ctx.t.admin.role_own;
  if (error.code === 'last_owner') return ctx.t.admin.role_last_owner;
  if (error.status === 403) return ctx.t.admin.role_not_allowed(role);
  return undefined;
}

/**
 * `/role @username ROLE`: gives a user another role, by the same rules as the API (the users
 * service decides; the checks here only make the answers clear). Admins and above.
 */
export function roleFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('role', async (ctx) => {
    const t = ctx.t.admin;
    if (!can(ctx.user.role, 'users.set_role')) {
      await ctx.reply(ctx.t.common.not_allowed);
      return;
    }
    const [username, roleName] = ctx.match.trim().split(/\s+/);
    if (!username || !roleName) {
      await ctx.reply(t.role_usage(userRoles), { parse_mode: 'HTML' });
      return;
    }
    const role = roleName.toLowerCase();
    if (!isRole(role)) {
      await ctx.reply(t.role_unknown_role(roleName, userRoles), { parse_mode: 'HTML' });
      return;
    }
    const target = await deps.users.findByUsername(username);
    if (!target) {
      await ctx.reply(t.role_unknown_user(username.replace(/^@/, '')), { parse_mode: 'HTML' });
      return;
    }
    if (target.id === ctx.user.id) {
      await ctx.reply(t.role_own);
      return;
    }
    if (!canGrantRole(ctx.user.role, target.role, role)) {
      await ctx.reply(t.role_not_allowed(role), { parse_mode: 'HTML' });
      return;
    }
    try {
      const changed = await deps.users.changeRole(ctx.principal, target.id, role);
      const answer =
        target.role === role
          ? t.role_unchanged(nameOf(changed), role)
          : t.role_done(nameOf(changed), role);
      await ctx.reply(answer, { parse_mode: 'HTML' });
    } catch (error) {
      const refusal = refusalOf(ctx, error, role);
      if (refusal === undefined) throw error;
      await ctx.reply(refusal, { parse_mode: 'HTML' });
    }
  });
  return composer;
}
