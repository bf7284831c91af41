import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** OpenAPI 3.1 generated from the routes' zod schemas: `/openapi.json`, rendered at `/docs`. */
export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Telegram Ticket Bot API',
          version: '1.0.0',
          description:
            'Support tickets inside Telegram. Errors are application/problem+json (RFC 9457); ' +
            'lists are paginated by cursor; times are ISO 8601; fields are snake_case.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
        tags: [
          { name: 'auth', description: 'Sign-in, sessions and the signed-in user' },
          { name: 'health', description: 'Liveness, readiness and metrics' },
          { name: 'tickets', description: 'Tickets: list, search, create, edit, assign, status' },
          {
            name: 'messages',
            description: 'The conversation of a ticket, internal notes included',
          },
          { name: 'categories', description: 'Ticket categories' },
          {
            name: 'canned-replies',
            description: 'Saved answers with placeholders that staff insert (staff)',
          },
          { name: 'files', description: 'Attachments: upload, preview and download' },
          { name: 'users', description: 'People, roles, blocking and activity (staff)' },
          { name: 'stats', description: 'Analytics of a period (moderators and above)' },
          {
            name: 'reports',
            description: 'PDF and spreadsheet reports of a period (moderators and above)',
          },
          {
            name: 'notifications',
            description: 'The signed-in user’s notifications: list, unread count, mark read',
          },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // Upgrading to https would break the docs on a plain-http local or internal server.
      transformStaticCSP: (header) =>
        header
          .split(';')
          .filter((directive) => directive.trim() !== 'upgrade-insecure-requests')
          .join(';'),
    });
    app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, () =>
      app.swagger(),
    );
  },
  { name: 'swagger' },
);
