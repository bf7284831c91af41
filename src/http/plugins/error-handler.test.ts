import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Conflict, Forbidden, Invalid, NotFound } from '../../errors.js';
import { createLogger } from '../../platform/logger.js';
import errorHandler from './error-handler.js';

describe('the error handler', () => {
  let app: FastifyInstance;
  const logged: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const logger: FastifyBaseLogger = createLogger('error', stream);
    app = Fastify({ loggerInstance: logger });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(errorHandler);
    app.get('/not-found', () => {
      throw new NotFound('Ticket not found');
    });
    app.get('/forbidden', () => {
      throw new Forbidden();
    });
    app.get('/conflict', () => {
      throw new Conflict('A closed ticket can only be reopened', 'invalid_transition');
    });
    app.get('/invalid', () => {
      throw new Invalid('Category is inactive', [{ field: 'category_id', message: 'is inactive' }]);
    });
    app.get('/bug', () => {
      throw new Error('connection string postgres://secret@db leaked?');
    });
    // What Drizzle throws when node-postgres cannot reach the server, and when it is stopping.
    const failedQuery = (cause: Error) =>
      new Error('Failed query: select 1\nparams: Connection terminated', { cause });
    app.get('/refused', () => {
      throw failedQuery(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      );
    });
    app.get('/shutting-down', () => {
      throw failedQuery(
        Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
        }),
      );
    });
    app.get('/terminated', () => {
      throw failedQuery(new Error('Connection terminated unexpectedly'));
    });
    app.get('/too-long', () => {
      throw failedQuery(Object.assign(new Error('value too long'), { code: '22001' }));
    });
    app.get(
      '/query',
      { schema: { querystring: z.object({ limit: z.coerce.number().int().min(1).max(100) }) } },
      () => 'ok',
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([
    ['/not-found', 404, 'Not Found', 'Ticket not found', 'not_found'],
    ['/forbidden', 403, 'Forbidden', 'Not allowed', 'forbidden'],
    ['/conflict', 409, 'Conflict', 'A closed ticket can only be reopened', 'invalid_transition'],
  ])(
    'answers a domain error from %s as problem+json with its status',
    async (url, status, title, detail, code) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.json()).toEqual({ type: 'about:blank', title, status, detail, code });
    },
  );

  it('lists field problems of a 422', async () => {
    const response = await app.inject({ method: 'GET', url: '/invalid' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'category_id', message: 'is inactive' }]);
  });

  it('names query fields with a query. prefix', async () => {
    const response = await app.inject({ method: 'GET', url: '/query?limit=-1' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].field).toBe('query.limit');
  });

  it('answers an unexpected error with a 500 that reveals nothing, and logs it', async () => {
    const response = await app.inject({ method: 'GET', url: '/bug' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('postgres://');
    expect(response.json().detail).toBe('Something went wrong on our side; it has been logged');
    expect(logged.join('\n')).toContain('connection string');
  });

  it.each(['/refused', '/shutting-down', '/terminated'])(
    'answers %s, a database it cannot reach, with a 503 to retry, not an error log per request',
    async (url) => {
      logged.length = 0;
      for (let i = 0; i < 3; i += 1) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(503);
        expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(response.headers['retry-after']).toBe('5');
        expect(response.json()).toMatchObject({ status: 503, code: 'database_unavailable' });
      }
      expect(logged).toEqual([]);
    },
  );

  it('keeps a 500 for a failed query whose parameters merely quote such words', async () => {
    const response = await app.inject({ method: 'GET', url: '/too-long' });
    expect(response.statusCode).toBe(500);
  });
});
