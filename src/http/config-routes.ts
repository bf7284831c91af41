import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from './problem.js';

const clientConfigSchema = z.object({
  demo_mode: z
    .boolean()
    .describe('True when the server has no bot token: demo sign-in works from this machine'),
});

/**
 * `GET /api/v1/config`: the little the Mini App must know before anyone signs in, such as
 * whether to offer demo sign-in when it is opened outside Telegram. Public, no secrets.
 */
export const configRoutes: FastifyPluginAsyncZod<{ demoMode: boolean }> = async (
  app,
  { demoMode },
) => {
  app.get(
    '/config',
    {
      schema: {
        tags: ['health'],
        summary: 'Public client configuration',
        description:
          'What the Mini App needs before sign-in: `demo_mode` says the server runs without a ' +
          'bot token, so `POST /auth/demo` signs in local clients. Needs no token.',
        response: { 200: clientConfigSchema, ...problemResponses(429) },
      },
    },
    () => ({ demo_mode: demoMode }),
  );
};
