import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../http/id-params.js';
import { principalOf } from '../http/plugins/authentication.js';
import { pageSchema } from '../http/list-query.js';
import { problemResponses } from '../http/problem.js';
import {
  cannedReplyListQuery,
  cannedReplySchema,
  createCannedReplyBody,
  filledReplySchema,
  fillQuery,
  updateCannedReplyBody,
} from './schemas.js';
import type { CannedReplyService } from './service.js';

const security = [{ bearer: [] }];
const tags = ['canned-replies'];

const rules =
  'Staff only (customers get 403). Everyone keeps personal replies that only they see (another’s ' +
  'is a 404 to everyone); shared replies are read by all staff and created, changed and deleted ' +
  'by moderators and above (403 otherwise), each change in the audit log.';

/** Canned replies: saved answers with placeholders that staff insert into their replies. */
export const cannedReplyRoutes: FastifyPluginAsyncZod<{
  cannedReplies: CannedReplyService;
}> = async (app, { cannedReplies }) => {
  app.get(
    '/canned-replies',
    {
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: 'List canned replies',
        description:
          `The caller’s personal replies and the shared ones, by shortcut, paged like every list. ${rules} ` +
          '`q` keeps those whose shortcut, title or body hold every word; `language` those in ' +
          'that language or for any.',
        security,
        querystring: cannedReplyListQuery,
        response: { 200: pageSchema(cannedReplySchema), ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => cannedReplies.list(principalOf(request), request.query),
  );

  app.post(
    '/canned-replies',
    {
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: 'Create a canned reply',
        description:
          `${rules} A shortcut is unique among the caller’s personal replies (or among shared ` +
          'ones) of one language (409 otherwise). A `{placeholder}` other than ' +
          '`{customer_name}`, `{ticket_number}` and `{agent_name}` is a 422 naming it.',
        security,
        body: createCannedReplyBody,
        response: { 201: cannedReplySchema, ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await cannedReplies.create(principalOf(request), request.body)),
  );

  app.get(
    '/canned-replies/:id',
    {
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: 'Get a canned reply',
        description: rules,
        security,
        params: idParams,
        response: { 200: cannedReplySchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => cannedReplies.get(principalOf(request), request.params.id),
  );

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: '/canned-replies/:id',
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: method === 'PATCH' ? 'Change a canned reply' : 'Change a canned reply (PUT)',
        description: `Any of title, shortcut, body, language. ${rules}`,
        security,
        params: idParams,
        body: updateCannedReplyBody,
        response: { 200: cannedReplySchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
      handler: async (request) =>
        cannedReplies.update(principalOf(request), request.params.id, request.body),
    });
  }

  app.delete(
    '/canned-replies/:id',
    {
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: 'Delete a canned reply',
        description: rules,
        security,
        params: idParams,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await cannedReplies.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/canned-replies/:id/filled',
    {
      preValidation: app.authorize('canned_replies.use'),
      schema: {
        tags,
        summary: 'A canned reply filled for a ticket',
        description:
          'The body with `{customer_name}` (the ticket’s customer), `{ticket_number}` (`#123`) ' +
          'and `{agent_name}` (the caller) filled; an empty name reads “customer” / “клиент”. ' +
          'The ticket must be one the caller may see (404 otherwise), as must the reply.',
        security,
        params: idParams,
        querystring: fillQuery,
        response: { 200: filledReplySchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      cannedReplies.fill(principalOf(request), request.params.id, request.query.ticket_id),
  );
};
