import { Composer } from 'grammy';
import { canGrantRole } from '../../../auth/permissions.js';
import { userRoles, type UserRole, type UserRow } from '../../../db/schema.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { guard } from '../../guard.js';
import { attempt } from '../../refusals.js';

function isRole(value: string): value is UserRole {
  return (userRoles as readonly string[]).includes(value);
}

/** How a user is named in answers: @username, else their first name. */
function nameOf(user: UserRow): string {
  return user.username ? `@${user.username}` : user.firstName;
}

/**
 * `/role @username ROLE`: gives a user another role, by the same rules as the API (the users
 * service decides; the checks here only make the answers clear). Admins and above.
 */
export function roleFeature(deps: Pick<BotDeps, 'users'>): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admins = guard(composer, 'users.set_role', { commands: ['role'] });
  admins.command('role', async (ctx) => {
    const t = ctx.t.admin;
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
    const changed = await attempt(ctx, { what: 'role', role }, () =>
      deps.users.changeRole(ctx.principal, target.id, role),
    );
    if (!changed.ok) {
      await ctx.reply(changed.words, { parse_mode: 'HTML' });
      return;
    }
    const name = nameOf(changed.value);
    const answer = target.role === role ? t.role_unchanged(name, role) : t.role_done(name, role);
    await ctx.reply(answer, { parse_mode: 'HTML' });
  });
  return composer;
}
