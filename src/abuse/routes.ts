import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import { banListQuery, banPageSchema, banParams } from './schemas.js';
import type { AbuseGuard } from './service.js';

const tags = ['admin'];
const security = [{ bearer: [] }];

/** Admins' view of the abuse guard: the bans in force, and lifting one. */
export const abuseRoutes: FastifyPluginAsyncZod<{ guard: AbuseGuard }> = async (app, { guard }) => {
  app.get(
    '/admin/bans',
    {
      preValidation: app.authorize('abuse.bans'),
      schema: {
        tags,
        summary: 'List banned client addresses',
        description:
          'Admins and above. The client addresses refused now after repeated failed sign-ins ' +
          'or rate-limit refusals (ABUSE_BAN_STRIKES within ABUSE_BAN_WINDOW_S), shared by ' +
          'every process through Redis, ordered by address.',
        security,
        querystring: banListQuery,
        response: { 200: banPageSchema, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => guard.list(request.query),
  );

  app.delete(
    '/admin/bans/:ip',
    {
      preValidation: app.authorize('abuse.bans'),
      schema: {
        tags,
        summary: 'Lift a ban',
        description:
          'Admins and above. The address is served again at once, by every process, and its ' +
          'strikes are forgotten. Written to the audit log (`ip_ban.lifted`). 404 when the ' +
          'address is not banned.',
        security,
        params: banParams,
        response: { 204: z.null().describe('Lifted'), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await guard.lift(principalOf(request), request.params.ip);
      return reply.status(204).send(null);
    },
  );
};
