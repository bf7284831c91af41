import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** A dependency check for readiness: resolves true when the dependency answers. */
export type ReadinessCheck = () => Promise<boolean>;

const checkTimeoutMs = 2000;

async function runCheck(check: ReadinessCheck): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), checkTimeoutMs);
  });
  try {
    return (await Promise.race([check(), timeout])) ? 'ok' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

const readySchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'down'])),
});

/** `/health/live` (the process answers) and `/health/ready` (its dependencies answer too). */
export const healthRoutes: FastifyPluginAsyncZod<{
  checks: Record<string, ReadinessCheck>;
}> = async (app, { checks }) => {
  app.get(
    '/health/live',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        description: 'Answers 200 while the process can serve HTTP at all.',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description:
          'Answers 200 when the database, Redis (when configured) and the job queue answer; ' +
          '503 with the failing checks otherwise.',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
      const report = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
      const ok = results.every((result) => result === 'ok');
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? ('ok' as const) : ('unavailable' as const), checks: report });
    },
  );
};
