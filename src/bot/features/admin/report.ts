import { Composer, InputFile } from 'grammy';
import { bytesOf } from '../../../reports/deliver.js';
import { summaryLines } from '../../../reports/kpis.js';
import { periodLabel } from '../../../reports/period.js';
import { lastDays, reportSpans, type ReportSpan } from '../../../reports/recent-period.js';
import { reportTexts } from '../../../reports/texts.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { guard } from '../../guard.js';

/**
 * `/report [week|month]`, for moderators and above: the PDF report of the last 7 (default) or
 * 30 whole days on the support clock, as a document in the sender's language, its key figures
 * in the caption.
 */
export function reportFeature(
  deps: Pick<BotDeps, 'reports' | 'stats' | 'clock'>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const moderators = guard(composer, 'reports.export', { commands: ['report'] });
  moderators.command('report', async (ctx) => {
    const word = ctx.match.trim().toLowerCase();
    const span: ReportSpan = word === 'month' ? 'month' : 'week';
    const texts = reportTexts(ctx.language);
    await ctx.reply(texts.preparing);
    const { timeZone } = await deps.stats.resolveQuery({});
    const period = lastDays(deps.clock.now(), timeZone, reportSpans[span]);
    const file = await deps.reports.file(period, 'pdf', ctx.language);
    const { overview } = file.report;
    const caption = texts.summary(
      periodLabel(overview.from, overview.to, overview.time_zone),
      summaryLines(texts, overview.current),
    );
    await ctx.replyWithDocument(new InputFile(await bytesOf(file), file.name), {
      caption,
      parse_mode: 'HTML',
    });
  });
  return composer;
}
