import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams } from '../http/id-params.js';
import { pickFields } from '../http/list-query.js';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import {
  notificationListQuery,
  notificationPageSchema,
  notificationSchema,
  readAllSchema,
  unreadCountSchema,
} from './schemas.js';
import type { NotificationService } from './service.js';

const tags = ['notifications'];
const security = [{ bearer: [] }];

/** The signed-in user's notifications: list, unread count, mark read. */
export const notificationRoutes: FastifyPluginAsyncZod<{
  notifications: NotificationService;
}> = async (app, { notifications }) => {
  app.get(
    '/notifications',
    {
      preValidation: app.authorize('notifications.read_own'),
      schema: {
        tags,
        summary: 'List my notifications',
        description:
          'The caller’s notifications, newest first, paged by cursor; `unread_only=true` for ' +
          'the unread ones. The reply also carries `unread_count`.',
        security,
        querystring: notificationListQuery,
        response: { 200: notificationPageSchema, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const page = await notifications.list(principalOf(request).userId, request.query);
      return { ...pickFields(page, request.query.fields), unread_count: page.unread_count };
    },
  );

  app.get(
    '/notifications/unread-count',
    {
      preValidation: app.authorize('notifications.read_own'),
      schema: {
        tags,
        summary: 'Count my unread notifications',
        description: 'How many of the caller’s notifications are not read yet (for a badge).',
        security,
        response: { 200: unreadCountSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => ({
      unread_count: await notifications.unreadCount(principalOf(request).userId),
    }),
  );

  app.put(
    '/notifications/read-all',
    {
      preValidation: app.authorize('notifications.read_own'),
      schema: {
        tags,
        summary: 'Mark all my notifications read',
        description: 'Marks every unread notification of the caller read; says how many.',
        security,
        response: { 200: readAllSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => ({
      updated: await notifications.markAllRead(principalOf(request).userId),
    }),
  );

  app.put(
    '/notifications/:id/read',
    {
      preValidation: app.authorize('notifications.read_own'),
      schema: {
        tags,
        summary: 'Mark a notification read',
        description: 'Only the caller’s own notifications; anyone else’s is 404.',
        security,
        params: idParams,
        response: { 200: notificationSchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => notifications.markRead(principalOf(request).userId, request.params.id),
  );
};
