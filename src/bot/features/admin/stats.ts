import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { guard } from '../../guard.js';

/**
 * `/stats`: today's and this week's ticket figures on the support team's clock, from the same
 * service as the analytics (`stats/service.ts`), for agents and above.
 */
export function statsFeature(deps: Pick<BotDeps, 'stats'>): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staff = guard(composer, 'stats.read', { commands: ['stats'] });
  staff.command('stats', async (ctx) => {
    const stats = await deps.stats.ticketStats();
    const { today, week, backlog, weekFrom, timeZone } = stats;
    await ctx.reply(ctx.t.admin.stats(today, week, backlog, weekFrom, timeZone), {
      parse_mode: 'HTML',
    });
  });
  return composer;
}
