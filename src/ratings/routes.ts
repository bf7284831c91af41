import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams } from '../http/id-params.js';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import { ratingBody, ratingSchema, ticketRatingSchema } from './schemas.js';
import type { RatingService } from './service.js';

const tags = ['tickets'];
const security = [{ bearer: [] }];

/** A ticket's CSAT rating: read it, give or change it (the customer). */
export const ratingRoutes: FastifyPluginAsyncZod<{ ratings: RatingService }> = async (
  app,
  { ratings },
) => {
  app.get(
    '/tickets/:id/rating',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'A ticket’s rating',
        description:
          'The customer’s rating of the ticket’s current resolution (null when not rated, or ' +
          'when the ticket is not resolved nor closed after a resolution), and whether the ' +
          'caller may rate it now. Staff and the customer alike; anyone else 404.',
        security,
        params: idParams,
        response: { 200: ticketRatingSchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => ratings.current(principalOf(request), request.params.id),
  );

  app.post(
    '/tickets/:id/rating',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Rate a resolved ticket',
        description:
          'The ticket’s customer rates its current resolution 1–5 with an optional comment ' +
          '(plain text, up to 1000 characters), once per resolution: a ticket reopened and ' +
          'resolved again is rated again. Rated again within a day of first rating, the rating ' +
          'changes; after that 409 `rating_final`. A ticket neither resolved nor closed after a ' +
          'resolution is 409 `not_resolved`; staff rating a customer’s ticket 403; someone ' +
          'else’s ticket 404. The assignee is told; a score of 2 or less alerts admins.',
        security,
        params: idParams,
        body: ratingBody,
        response: { 200: ratingSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => ratings.rate(principalOf(request), request.params.id, request.body),
  );
};
