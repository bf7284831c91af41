import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AbuseGuard, StrikeReason } from '../../abuse/service.js';
import { problem } from '../problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How the abuse guard treats the route: `exempt` is never refused and counts no strikes
     * (health, metrics, Telegram's webhook); on a `sign-in` route a 401 is a strike.
     */
    abuse?: 'exempt' | 'sign-in';
  }
}

/** The problem type of a refusal to a banned address (docs/api.md#errors). */
export const bannedProblemType = '/problems/banned';

/** What an answer counts against its client: a 429 anywhere, a 401 of a sign-in route. */
function strikeOf(route: FastifyContextConfig['abuse'], status: number): StrikeReason | undefined {
  if (route === 'exempt') return undefined;
  if (status === 429) return 'rate_limited';
  if (status === 401 && route === 'sign-in') return 'sign_in';
  return undefined;
}

/**
 * Refuses every request from a banned client address (`request.ip`, so TRUST_PROXY applies)
 * with a 403 problem and Retry-After before anything else runs, WebSocket upgrades included;
 * and counts strikes: a 429 of any route, a 401 of a sign-in route. Registered before the
 * authentication and rate-limit plugins, so a banned client costs neither a token check nor a
 * count.
 */
export default fp(
  function abuseGuardPlugin(app: FastifyInstance, options: { guard: AbuseGuard }) {
    const { guard } = options;
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.abuse === 'exempt') return;
      // As the rate limit does, a failing store lets requests through.
      const ban = await guard.banOf(request.ip).catch((error: unknown) => {
        request.log.warn({ err: error }, 'abuse: the ban store could not be read');
        return undefined;
      });
      if (!ban) return;
      const retryAfter = guard.retryAfterS(ban);
      if (request.headers.upgrade !== undefined) {
        // A refused upgrade's socket is outside the HTTP server's keep-alive handling (the
        // WebSocket plugin took it over), and this hook runs before the plugin's own that would
        // end it: end it here once the answer is out.
        reply.header('connection', 'close');
        reply.raw.once('finish', () => request.raw.socket.end());
      }
      return reply
        .code(403)
        .header('retry-after', String(retryAfter))
        .type('application/problem+json; charset=utf-8')
        .send({
          ...problem(
            403,
            `Too many failed sign-ins or refused requests from your address; try again in ${retryAfter} s`,
            { code: 'ip_banned' },
          ),
          type: bannedProblemType,
        });
    });
    // Before the answer goes out, so the strike that bans is counted before its client, or any
    // other process, can send the next request: a refusal waits for it, nothing else does.
    app.addHook('onSend', async (request, reply, payload) => {
      const reason = strikeOf(request.routeOptions.config.abuse, reply.statusCode);
      if (!reason) return payload;
      await guard.strike(request.ip, reason).catch((error: unknown) => {
        request.log.warn({ err: error }, 'abuse: a strike could not be counted');
      });
      return payload;
    });
  },
  { name: 'abuse-guard' },
);
