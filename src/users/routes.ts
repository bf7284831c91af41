import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../platform/clock.js';
import { auditEntrySchema } from '../audit/schemas.js';
import { idParams } from '../http/id-params.js';
import { pickFields, sparsePageSchema } from '../http/list-query.js';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import {
  activityQuery,
  avatarQuery,
  roleBody,
  statusBody,
  toUserDto,
  userExportQuery,
  userListQuery,
  userSchema,
} from './schemas.js';
import type { StatusNotice, UserService } from './service.js';
import type { AvatarService } from './avatars.js';
import { exportFile, exportStream } from './export.js';

const tags = ['users'];
const security = [{ bearer: [] }];

/** Staff administration of users: list, role, block, activity. */
export const userRoutes: FastifyPluginAsyncZod<{
  users: UserService;
  clock: Clock;
  /** Tells a blocked or unblocked person so in Telegram (the notifications service). */
  tellStatus: StatusNotice;
  avatars: Pick<AvatarService, 'open'>;
}> = async (app, { users, clock, tellStatus, avatars }) => {
  app.get(
    '/users',
    {
      preValidation: app.authorize('users.list_staff'),
      schema: {
        tags,
        summary: 'List users',
        description:
          'Moderators and above; agents only active staff (`role` of agent or above and ' +
          '`is_active=true`), to assign tickets to colleagues. Newest first; filter by `role`, by `is_active` (`false` lists ' +
          'blocked users) and search with `q`: each word matches the start of a word of the ' +
          'username, first or last name, so `@iva pet` finds @ivan_petrov.',
        security,
        querystring: userListQuery,
        response: {
          200: sparsePageSchema(userSchema),
          ...problemResponses(401, 403, 422),
        },
      },
    },
    async (request) => {
      const { fields, ...query } = request.query;
      return pickFields(await users.list(principalOf(request), query), fields);
    },
  );

  app.get(
    '/users/export',
    {
      preValidation: app.authorize('users.list'),
      schema: {
        tags,
        summary: 'Export users',
        description:
          'Moderators and above. The users `GET /users` would list with the same filters, ' +
          'newest first, as one file streamed while it is read: `csv` (UTF-8 with a BOM, ' +
          "RFC 4180 quoting, text starting with = + - @ prefixed with `'`) or `xlsx` (typed " +
          'cells, frozen header row with an auto-filter). Columns: id, telegram_id, username, ' +
          'first_name, last_name, role, is_active, bot_blocked, language_code, created_at, ' +
          'last_seen_at.',
        security,
        querystring: userExportQuery,
        response: {
          200: z.unknown().describe('The file, as an attachment'),
          ...problemResponses(401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const batches = users.exportBatches(principalOf(request), filters);
      const file = exportFile(format, clock.now());
      return reply
        .header('content-type', file.type)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('cache-control', 'no-store')
        .send(exportStream(format, batches));
    },
  );

  app.get(
    '/users/:id',
    {
      preValidation: app.authorize(),
      schema: {
        tags,
        summary: 'Get a user',
        description: 'Staff see every user; anyone else only themself (404 for others).',
        security,
        params: idParams,
        response: { 200: userSchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => toUserDto(await users.view(principalOf(request), request.params.id)),
  );

  app.get(
    '/users/:id/avatar',
    {
      preValidation: app.authorize(),
      schema: {
        tags,
        summary: 'A user’s avatar',
        description:
          'A 128×128 WebP of the Telegram profile photo, as `avatar_url` links it. Staff ' +
          'avatars to anyone signed in; a customer’s to staff and themself (404 for others, ' +
          'and when there is none). With the current `?v=` the answer may be cached for a ' +
          'year (`immutable`; `public` for staff, `private` for customers): a new photo gets a ' +
          'new `v`. Fetched on sign-in when missing or older than a day.',
        security,
        params: idParams,
        querystring: avatarQuery,
        response: {
          200: z.unknown().describe('The WebP image'),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const avatar = await avatars.open(principalOf(request), request.params.id);
      const scope = avatar.shared ? 'public' : 'private';
      const cache =
        request.query.v === avatar.version
          ? `${scope}, max-age=31536000, immutable`
          : `${scope}, no-cache`;
      return reply
        .header('content-type', 'image/webp')
        .header('cache-control', cache)
        .header('x-content-type-options', 'nosniff')
        .send(avatar.body);
    },
  );

  app.put(
    '/users/:id/role',
    {
      preValidation: app.authorize('users.set_role'),
      schema: {
        tags,
        summary: 'Change a user’s role',
        description:
          'Admins and above. Nobody changes their own role, nor grants or takes away a role at ' +
          'or above their own, except an owner (403). The last owner stays an owner (409). ' +
          'Setting the role a user already has changes nothing. Takes effect on the user’s ' +
          'next request and is written to the audit log.',
        security,
        params: idParams,
        body: roleBody,
        response: { 200: userSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      toUserDto(await users.changeRole(principalOf(request), request.params.id, request.body.role)),
  );

  app.put(
    '/users/:id/status',
    {
      preValidation: app.authorize('users.block'),
      schema: {
        tags,
        summary: 'Block or unblock a user',
        description:
          'Moderators and above, for users below their own role (owners for anyone). Nobody ' +
          'blocks themself (403); the last active owner cannot be blocked (409). A blocked ' +
          'user is refused (403) from their next request on. The person is told in Telegram, ' +
          'in their language: blocked (with `reason`, when given) or that they can write ' +
          'again. Written to the audit log with the reason. Setting the state the user already ' +
          'has changes nothing and tells nobody.',
        security,
        params: idParams,
        body: statusBody,
        response: { 200: userSchema, ...problemResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      toUserDto(
        await users.changeStatus(principalOf(request), request.params.id, request.body.is_active, {
          reason: request.body.reason,
          tell: tellStatus,
        }),
      ),
  );

  app.get(
    '/users/:id/activity',
    {
      preValidation: app.authorize('users.activity'),
      schema: {
        tags,
        summary: 'A user’s activity',
        description:
          'Moderators and above. The audit log of what the user did and what was done to ' +
          'them (role changes, blocks), newest first, with the changed fields before and after.',
        security,
        params: idParams,
        querystring: activityQuery,
        response: {
          200: sparsePageSchema(auditEntrySchema),
          ...problemResponses(401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const { fields, ...page } = request.query;
      return pickFields(
        await users.activity(principalOf(request), request.params.id, page),
        fields,
      );
    },
  );
};
