import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { requestLogContext, runInLogContext } from '../../platform/log-context.js';

/**
 * Runs each request in its log context (`platform/log-context.ts`): a job queued while it is
 * handled carries its `request_id` to the worker, and a line a service logs meanwhile (through
 * the process logger, not `request.log`) carries it too. Entered as the request arrives and
 * again before validation: a body is read on the socket's events, which do not carry the
 * context over to the handler. Callback hooks: no promise per request.
 */
export default fp(function logContextPlugin(app: FastifyInstance) {
  app.addHook('onRequest', (request, _reply, done) => {
    runInLogContext(requestLogContext(request.id), done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    runInLogContext(requestLogContext(request.id), done);
  });
});
