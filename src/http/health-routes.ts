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

/** `ok` when nothing is down, `degraded` when only dependencies with a fallback are. */
function overall(
  down: string[],
  degradable: readonly string[],
): z.infer<typeof readySchema>['status'] {
  if (down.length === 0) return 'ok';
  return down.every((name) => degradable.includes(name)) ? 'degraded' : 'unavailable';
}

const readySchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'down'])),
});

/**
 * `/health/live` (the process answers) and `/health/ready` (its dependencies answer too). A
 * dependency named in `degradable` has a fallback: while it alone is down the process still
 * serves, and readiness says `degraded` with 200.
 */
export const healthRoutes: FastifyPluginAsyncZod<{
  checks: Record<string, ReadinessCheck>;
  degradable?: readonly string[];
}> = async (app, { checks, degradable = [] }) => {
  app.get(
    '/health/live',
    {
      config: { rateLimit: false, abuse: 'exempt' },
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
      config: { rateLimit: false, abuse: 'exempt' },
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description:
          'Answers 200 `ok` when the database, Redis (when configured) and the job queue ' +
          'answer; 200 `degraded` when only Redis is down (the process falls back to the ' +
          'database and its own memory); 503 `unavailable` with the failing checks otherwise.',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
      const report = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
      const down = names.filter((_name, index) => results[index] === 'down');
      const status = overall(down, degradable);
      return reply.status(status === 'unavailable' ? 503 : 200).send({ status, checks: report });
    },
  );
};
