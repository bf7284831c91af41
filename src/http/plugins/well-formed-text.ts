import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { refuseIllFormed } from '../../content/well-formed.js';

/**
 * The text rule at the API's door: a JSON body with a lone surrogate anywhere (a value or a key)
 * is a 422 naming the field, before any route or service sees it (`content/well-formed.ts`).
 */
export default fp(
  function wellFormedText(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      refuseIllFormed(request.body);
    });
  },
  { name: 'well-formed-text' },
);
