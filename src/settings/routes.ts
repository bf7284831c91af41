import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import { settingsSchema, updateSettingsBody } from './schemas.js';
import type { SettingsService } from './service.js';

const security = [{ bearer: [] }];

/** The admin-editable settings (admins and owners). */
export const settingsRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (
  app,
  { settings },
) => {
  app.get(
    '/settings',
    {
      preValidation: app.authorize('settings.manage'),
      schema: {
        tags: ['settings'],
        summary: 'Read the settings',
        description:
          'Admins and owners. Support hours, the reminder schedule and threshold, auto-close, ' +
          'the /start greeting and the routing of new tickets. Groups never saved show their ' +
          'defaults (from the environment where one exists).',
        security,
        response: { 200: settingsSchema, ...problemResponses(401, 403) },
      },
    },
    () => settings.current(),
  );

  app.put(
    '/settings',
    {
      preValidation: app.authorize('settings.manage'),
      schema: {
        tags: ['settings'],
        summary: 'Change the settings',
        description:
          'Admins and owners. Any of the groups; each given is replaced whole and validated ' +
          '(422 names every bad field, including routing that names unknown categories or ' +
          'people who are not active staff). Recorded in the audit log; in force in every ' +
          'process at once. Answers the whole settings.',
        security,
        body: updateSettingsBody,
        response: { 200: settingsSchema, ...problemResponses(401, 403, 422) },
      },
    },
    (request) => settings.update(principalOf(request), request.body),
  );
};
