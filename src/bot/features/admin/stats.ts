import { Composer } from 'grammy';
import { can } from '../../../auth/permissions.js';
import { ticketStats } from '../../../stats/ticket-stats.js';
import type { BotDeps } from '../../bot.js';
import type { BotContext } from '../../context.js';

/** `/stats`: today's and this week's ticket figures (UTC), for agents and above. */
export function statsFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('stats', async (ctx) => {
    if (!can(ctx.user.role, 'stats.read')) {
      await ctx.reply(ctx.t.common.not_allowed);
      return;
    }
    const stats = await ticketStats(deps.database.db, deps.clock.now());
    await ctx.reply(ctx.t.admin.stats(stats.today, stats.week, stats.backlog, stats.weekFrom), {
      parse_mode: 'HTML',
    });
  });
  return composer;
}
