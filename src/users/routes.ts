import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditLog } from '../audit/service.js';
import type { UserService } from './service.js';

/** Staff administration of users: list, role, block, activity. */
export const userRoutes: FastifyPluginAsyncZod<{ users: UserService; audit: AuditLog }> = async (
  _app,
  _options,
) => {};
