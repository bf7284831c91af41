import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import { languageOf } from '../i18n/language.js';
import type { StatsService } from '../stats/service.js';
import { reportQuery, reportQueuedSchema, sendReportBody } from './schemas.js';
import type { ReportService } from './service.js';

const tags = ['reports'];
const security = [{ bearer: [] }];
const period =
  'The period and filters are those of the stats endpoints (default: the 7 days before now; ' +
  'at most 731 days), read on the support team’s clock; the report is in the caller’s ' +
  'language (ru or en). Moderators and above.';

/** The PDF and spreadsheet reports of a period (docs/api.md, "Reports"). */
export const reportRoutes: FastifyPluginAsyncZod<{
  reports: ReportService;
  stats: Pick<StatsService, 'resolveQuery' | 'languageOf'>;
}> = async (app, { reports, stats }) => {
  const preValidation = app.authorize('reports.export');

  app.get(
    '/reports',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Download a report',
        description:
          'The report as an attachment named `report-YYYY-MM-DD-YYYY-MM-DD.pdf|xlsx` (its first ' +
          'and last day on the support clock). `pdf`: a cover with the period and filters, the ' +
          'key figures against the previous period, charts drawn as vectors, the breakdown and ' +
          'staff tables. `xlsx` (streamed): sheets of the key figures, the time series, the ' +
          'breakdowns, the staff and the raw tickets of the period, with typed cells (dates on ' +
          `the support clock, durations as [h]:mm:ss). ${period}`,
        security,
        querystring: reportQuery,
        response: {
          200: z.unknown().describe('The file, as an attachment'),
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const { format, ...raw } = request.query;
      const query = await stats.resolveQuery(raw);
      const language = languageOf(await stats.languageOf(principalOf(request).userId));
      const file = await reports.file(query, format, language);
      return reply
        .header('content-type', file.type)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );

  app.post(
    '/reports/send',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Send a report to my Telegram chat',
        description:
          'Queues the report; the bot sends it to the caller’s chat as a document (Telegram takes ' +
          'up to 50 MB; a larger file is replaced by a message saying so). 409 ' +
          '`no_telegram_chat` when the bot cannot reach the caller (never started, blocked, or ' +
          `no bot). ${period}`,
        security,
        body: sendReportBody,
        response: { 202: reportQueuedSchema, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { format, ...raw } = request.body;
      const query = await stats.resolveQuery(raw);
      const actor = principalOf(request);
      const language = languageOf(await stats.languageOf(actor.userId));
      await reports.requestSend(actor, format, query, language);
      return reply.status(202).send({ queued: true as const });
    },
  );
};
