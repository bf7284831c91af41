import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../../platform/metrics.js';

/**
 * Records every request's duration by route template (never the raw URL, which would make a
 * label per ticket id) and serves Prometheus metrics at `/metrics`.
 */
export default fp(
  function metricsPlugin(app: FastifyInstance, options: { metrics: Metrics }) {
    const { registry, httpDuration } = options.metrics;
    app.addHook('onResponse', async (request, reply) => {
      httpDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['health'],
          summary: 'Prometheus metrics',
          description:
            'Process, HTTP and service metrics (tickets, notifications, queues, bot, worker heartbeat) in the Prometheus text format.',
        },
        config: { rateLimit: false, abuse: 'exempt' },
      },
      async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'metrics' },
);
