import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditEntryFields, auditEntrySchema } from '../audit/schemas.js';
import { idParams } from '../http/id-params.js';
import {
  cursorParam,
  fieldsParam,
  limitParam,
  pickFields,
  sparsePageSchema,
} from '../http/list-query.js';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import {
  assignBody,
  createTicketBody,
  statusBody,
  ticketCountsQuery,
  ticketCountsSchema,
  ticketListQuery,
  ticketSchema,
  updateTicketBody,
  userTicketListQuery,
} from './schemas.js';
import type { TicketService } from './service.js';

const tags = ['tickets'];
const security = [{ bearer: [] }];
const historyQuery = z.strictObject({
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(auditEntryFields),
});

const listDescription =
  'A user sees their own tickets; agents and above see all. Filters: `status` and `priority` ' +
  '(repeatable or comma-separated), `category_id`, `assigned_to` (a user id, `me` or `none`), ' +
  '`user_id` (staff), `created_from`/`created_to`, and `q`: full-text search over title and ' +
  'description in Russian and English with prefix matching, or a ticket number. Sorted by ' +
  '`sort`; paged by cursor, so tickets created meanwhile never shift a row between pages.';

/** Tickets: list, search, counts, create, read, edit, assign, status, delete, history. */
export const ticketRoutes: FastifyPluginAsyncZod<{ tickets: TicketService }> = async (
  app,
  { tickets },
) => {
  app.get(
    '/tickets',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'List tickets',
        description: listDescription,
        security,
        querystring: ticketListQuery,
        response: { 200: sparsePageSchema(ticketSchema), ...problemResponses(401, 403, 422) },
      },
    },
    async (request) =>
      pickFields(await tickets.list(principalOf(request), request.query), request.query.fields),
  );

  app.get(
    '/tickets/counts',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Count tickets by status',
        description:
          'How many of the tickets the caller may see are in each status, with the list’s ' +
          'filters (except `status`) applied, e.g. `assigned_to=me`.',
        security,
        querystring: ticketCountsQuery,
        response: { 200: ticketCountsSchema, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => tickets.counts(principalOf(request), request.query),
  );

  app.post(
    '/tickets',
    {
      preValidation: app.authorize('tickets.create'),
      schema: {
        tags,
        summary: 'Open a ticket',
        description:
          'Opens a ticket for the caller in an active category. Title 1–200 and description ' +
          '1–2000 characters, plain text (HTML markup is removed). Staff are told at once. ' +
          'The Mini App sends `X-Client: mini-app`, which records the ticket’s channel as ' +
          '`mini_app` (for the statistics); any other client’s tickets are `api`.',
        security,
        body: createTicketBody,
        response: { 201: ticketSchema, ...problemResponses(401, 403, 422) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await tickets.create(
            principalOf(request),
            request.body,
            request.headers['x-client'] === 'mini-app' ? 'mini_app' : 'api',
          ),
        ),
  );

  app.get(
    '/tickets/:id',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Get a ticket',
        description: 'One ticket; 404 when it does not exist or is not the caller’s to see.',
        security,
        params: idParams,
        response: { 200: ticketSchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => tickets.get(principalOf(request), request.params.id),
  );

  app.put(
    '/tickets/:id',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Edit a ticket',
        description:
          'While the ticket is not closed (409 otherwise): its author may change title, ' +
          'description and priority; staff may change priority and category.',
        security,
        params: idParams,
        body: updateTicketBody,
        response: { 200: ticketSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => tickets.update(principalOf(request), request.params.id, request.body),
  );

  app.delete(
    '/tickets/:id',
    {
      preValidation: app.authorize('tickets.delete'),
      schema: {
        tags,
        summary: 'Delete a ticket',
        description: 'Admins only: deletes the ticket with its messages and attachments.',
        security,
        params: idParams,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await tickets.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/tickets/:id/assign',
    {
      preValidation: app.authorize('tickets.assign'),
      schema: {
        tags,
        summary: 'Assign a ticket',
        description:
          'Staff: gives the ticket to an active agent-or-above user (422 otherwise), or ' +
          'unassigns it with null. A closed ticket cannot be assigned (409).',
        security,
        params: idParams,
        body: assignBody,
        response: { 200: ticketSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      tickets.assign(principalOf(request), request.params.id, request.body.assigned_to),
  );

  app.put(
    '/tickets/:id/status',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'Change a ticket’s status',
        description:
          'Follows the state machine: open, in_progress, waiting and resolved move freely ' +
          'among themselves and to closed; a closed ticket can only be reopened (409 ' +
          'otherwise). Staff change any status; the author may only close or reopen (403).',
        security,
        params: idParams,
        body: statusBody,
        response: { 200: ticketSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      tickets.changeStatus(principalOf(request), request.params.id, request.body.status),
  );

  app.get(
    '/tickets/:id/history',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags,
        summary: 'A ticket’s history',
        description:
          'Every recorded change of the ticket and its messages (who, what, when, before → ' +
          'after), newest first. Changes of internal notes are shown to staff only.',
        security,
        params: idParams,
        querystring: historyQuery,
        response: {
          200: sparsePageSchema(auditEntrySchema),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const { fields, ...page } = request.query;
      return pickFields(
        await tickets.history(principalOf(request), request.params.id, page),
        fields,
      );
    },
  );

  app.get(
    '/users/:id/tickets',
    {
      preValidation: app.authorize('tickets.read_own'),
      schema: {
        tags: ['tickets', 'users'],
        summary: 'A user’s tickets',
        description:
          'The tickets a user opened, for staff or the user themself (404 for anyone else), ' +
          'with the filters, sorts and paging of `GET /tickets`.',
        security,
        params: idParams,
        querystring: userTicketListQuery,
        response: { 200: sparsePageSchema(ticketSchema), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      pickFields(
        await tickets.listForUser(principalOf(request), request.params.id, request.query),
        request.query.fields,
      ),
  );
};
