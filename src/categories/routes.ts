import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../auth/permissions.js';
import { Forbidden } from '../errors.js';
import { idParams } from '../http/id-params.js';
import { principalOf } from '../http/plugins/authentication.js';
import {
  cursorParam,
  fieldsParam,
  limitParam,
  pageSchema,
  pickFields,
  sparsePageSchema,
} from '../http/list-query.js';
import { problemResponses } from '../http/problem.js';
import {
  categoryFields,
  categoryOrderBody,
  categorySchema,
  createCategoryBody,
  updateCategoryBody,
} from './schemas.js';
import type { CategoryService } from './service.js';

const security = [{ bearer: [] }];

const listQuery = z.strictObject({
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(categoryFields),
  include_inactive: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Staff only: include inactive categories'),
});

/** Ticket categories: everyone reads the active ones; admins manage them. */
export const categoryRoutes: FastifyPluginAsyncZod<{ categories: CategoryService }> = async (
  app,
  { categories },
) => {
  app.get(
    '/categories',
    {
      preValidation: app.authorize(),
      schema: {
        tags: ['categories'],
        summary: 'List categories',
        description:
          'Active categories in display order (`sort_order`, then name), paged like every list. ' +
          'Staff may add `include_inactive=true` to see retired ones too; staff also get ' +
          '`open_count`, the tickets of each category that are open, in progress or waiting.',
        security,
        querystring: listQuery,
        response: {
          200: sparsePageSchema(categorySchema),
          ...problemResponses(401, 403, 422),
        },
      },
    },
    async (request) => {
      const { role } = principalOf(request);
      const { include_inactive: includeInactive, fields, ...page } = request.query;
      if (includeInactive && !can(role, 'categories.read_inactive')) {
        throw new Forbidden('Only staff see inactive categories');
      }
      const withOpenCounts = can(role, 'categories.read_inactive');
      return pickFields(
        await categories.list({ includeInactive, withOpenCounts, ...page }),
        fields,
      );
    },
  );

  app.put(
    '/categories/order',
    {
      preValidation: app.authorize('categories.manage'),
      schema: {
        tags: ['categories'],
        summary: 'Reorder categories',
        description:
          'Admins only. `ids` names every category, active or not, exactly once, in the new ' +
          'display order (422 otherwise); each one’s `sort_order` becomes its place (0, 1, …), ' +
          'all in one transaction, each move written to the audit log. Answers every ' +
          'category in the new order, with `open_count`.',
        security,
        body: categoryOrderBody,
        response: {
          200: pageSchema(categorySchema),
          ...problemResponses(401, 403, 422),
        },
      },
    },
    async (request) => ({
      items: await categories.reorder(principalOf(request), request.body.ids),
      next_cursor: null,
    }),
  );

  app.get(
    '/categories/:id',
    {
      preValidation: app.authorize(),
      schema: {
        tags: ['categories'],
        summary: 'Get a category',
        description: 'One category. Inactive ones are visible to staff only.',
        security,
        params: idParams,
        response: { 200: categorySchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      categories.get(request.params.id, {
        includeInactive: can(principalOf(request).role, 'categories.read_inactive'),
      }),
  );

  app.post(
    '/categories',
    {
      preValidation: app.authorize('categories.manage'),
      schema: {
        tags: ['categories'],
        summary: 'Create a category',
        description: 'Admins only. Names are unique regardless of case (409 otherwise).',
        security,
        body: createCategoryBody,
        response: { 201: categorySchema, ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await categories.create(principalOf(request), request.body)),
  );

  app.put(
    '/categories/:id',
    {
      preValidation: app.authorize('categories.manage'),
      schema: {
        tags: ['categories'],
        summary: 'Change a category',
        description:
          'Admins only. Any of name, description, icon, color, sort_order, is_active. ' +
          'Deactivating keeps existing tickets but stops new ones taking it.',
        security,
        params: idParams,
        body: updateCategoryBody,
        response: { 200: categorySchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => categories.update(principalOf(request), request.params.id, request.body),
  );

  app.delete(
    '/categories/:id',
    {
      preValidation: app.authorize('categories.manage'),
      schema: {
        tags: ['categories'],
        summary: 'Delete a category',
        description:
          'Admins only. A category no ticket uses is deleted (204). One in use is deactivated ' +
          'instead and returned (200), so its tickets keep their category.',
        security,
        params: idParams,
        response: {
          200: categorySchema.describe('The category, deactivated because tickets use it'),
          204: z.null().describe('Deleted'),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await categories.remove(principalOf(request), request.params.id);
      return result.deleted ? reply.status(204).send(null) : result.category;
    },
  );
};
