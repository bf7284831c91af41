import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import {
  breakdownQuery,
  breakdownSchema,
  heatmapSchema,
  overviewSchema,
  staffStatsSchema,
  statsQuery,
  timeseriesQuery,
  timeseriesSchema,
} from './schemas.js';
import type { StatsService } from './service.js';

const tags = ['stats'];
const security = [{ bearer: [] }];
const period =
  'The period is [from, to) (default: the 7 days before now), at most 731 days; the filters ' +
  'apply to every figure by the ticket’s current category, priority and assignee. Buckets, ' +
  'days and hours are read on the support team’s clock (`time_zone`). Moderators and above.';

/** The analytics of a period (docs/api.md, "Statistics"). */
export const statsRoutes: FastifyPluginAsyncZod<{ stats: StatsService }> = async (
  app,
  { stats },
) => {
  const preValidation = app.authorize('stats.analytics');

  app.get(
    '/stats/overview',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Figures of a period with the previous one',
        description: `Created, resolved, closed, reopened, backlog, first response and resolution times (median and p90, calendar and support hours), SLA met % and CSAT, for the period and the one before it (same length, ending at \`from\`). ${period}`,
        security,
        querystring: statsQuery,
        response: { 200: overviewSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => stats.overview(await stats.resolveQuery(request.query)),
  );

  app.get(
    '/stats/timeseries',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Created, resolved and backlog per bucket',
        description: `Buckets of an hour (periods up to 31 days), a day (up to 400 days) or a week, aligned on the support clock (the first and last may be partial). ${period}`,
        security,
        querystring: timeseriesQuery,
        response: { 200: timeseriesSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const query = await stats.resolveQuery(request.query);
      return stats.timeseries({ ...query, bucket: request.query.bucket });
    },
  );

  app.get(
    '/stats/breakdown',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Figures per category, priority, status or channel',
        description: `Created, resolved, backlog and median times per group; \`status\` groups the tickets created in the period by their status now. ${period}`,
        security,
        querystring: breakdownQuery,
        response: { 200: breakdownSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const query = await stats.resolveQuery(request.query);
      const language = await stats.languageOf(principalOf(request).userId);
      return stats.breakdown({ ...query, by: request.query.by, language });
    },
  );

  app.get(
    '/stats/heatmap',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Tickets created per weekday and hour',
        description: `All 168 cells (Monday 1 … Sunday 7, hours 0–23 on the support clock). ${period}`,
        security,
        querystring: statsQuery,
        response: { 200: heatmapSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => stats.heatmap(await stats.resolveQuery(request.query)),
  );

  app.get(
    '/stats/staff',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Figures per staff member',
        description: `Per staff member: assignments, cycles resolved, median first response and resolution, SLA met % and CSAT of the tickets assigned to them, messages written. ${period}`,
        security,
        querystring: statsQuery,
        response: { 200: staffStatsSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => stats.staff(await stats.resolveQuery(request.query)),
  );
};
