import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../http/id-params.js';
import { pickFields, sparsePageSchema } from '../http/list-query.js';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import {
  createMessageBody,
  messageListQuery,
  messageSchema,
  updateMessageBody,
} from './schemas.js';
import type { MessageService } from './service.js';

const tags = ['messages'];
const security = [{ bearer: [] }];

/** A ticket's conversation: list, post, edit, delete. */
export const messageRoutes: FastifyPluginAsyncZod<{ messages: MessageService }> = async (
  app,
  { messages },
) => {
  app.get(
    '/tickets/:id/messages',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'List a ticket’s messages',
        description:
          'The conversation, oldest first unless `sort=-created_at`, paged by cursor. Internal ' +
          'notes are included for staff only.',
        security,
        params: idParams,
        querystring: messageListQuery,
        response: { 200: sparsePageSchema(messageSchema), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      pickFields(
        await messages.list(principalOf(request), request.params.id, request.query),
        request.query.fields,
      ),
  );

  app.post(
    '/tickets/:id/messages',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Post a message',
        description:
          'Adds plain text (1–4000 characters; HTML markup is removed) to a ticket that is not ' +
          'closed (409). Staff may post internal notes. The author’s reply to a waiting or ' +
          'resolved ticket reopens it; staff’s first public reply is recorded as first response.',
        security,
        params: idParams,
        body: createMessageBody,
        response: { 201: messageSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await messages.create(principalOf(request), request.params.id, request.body)),
  );

  app.put(
    '/messages/:id',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Edit a message',
        description: 'Authors edit their own messages (403 otherwise); `edited_at` is set.',
        security,
        params: idParams,
        body: updateMessageBody,
        response: { 200: messageSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => messages.update(principalOf(request), request.params.id, request.body),
  );

  app.delete(
    '/messages/:id',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Delete a message',
        description: 'Authors delete their own messages; moderators and above delete any.',
        security,
        params: idParams,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await messages.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
