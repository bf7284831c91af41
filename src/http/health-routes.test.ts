import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';

const up: ReadinessCheck = () => Promise.resolve(true);
const down: ReadinessCheck = () => Promise.reject(new Error('connection refused'));

/** `/health/ready` with these checks, Redis being the one with a fallback (as in container.ts). */
async function ready(checks: Record<string, ReadinessCheck>) {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(healthRoutes, { checks, degradable: ['redis'] });
  try {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    return { status: response.statusCode, body: response.json<unknown>() };
  } finally {
    await app.close();
  }
}

describe('GET /health/ready', () => {
  it('is ok when every dependency answers', async () => {
    expect(await ready({ database: up, redis: up })).toEqual({
      status: 200,
      body: { status: 'ok', checks: { database: 'ok', redis: 'ok' } },
    });
  });

  it('stays 200 but says degraded when only a dependency with a fallback is down', async () => {
    expect(await ready({ database: up, redis: down })).toEqual({
      status: 200,
      body: { status: 'degraded', checks: { database: 'ok', redis: 'down' } },
    });
  });

  it('is unavailable (503) when a dependency without a fallback is down', async () => {
    expect(await ready({ database: down, redis: down })).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { database: 'down', redis: 'down' } },
    });
  });
});
