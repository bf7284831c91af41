import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthService, Principal } from '../../auth/service.js';
import { can, type Permission } from '../../auth/permissions.js';
import type { AccessClaims, TokenSigner } from '../../auth/tokens.js';
import { Forbidden, Unauthorized } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The claims of a validly signed bearer token, before any session check. */
    accessClaims?: AccessClaims;
    /** The caller, once a guard has authenticated the request. */
    principal?: Principal;
  }
  interface FastifyInstance {
    /** A guard: the request must be signed in and, if named, hold `permission`. */
    authorize(permission?: Permission): preValidationAsyncHookHandler;
    /**
     * The caller behind the request's bearer token when its session is live and its user
     * active; rejects as the guard does otherwise. Checked at most once per request.
     */
    checkSession(request: FastifyRequest): Promise<Principal>;
  }
}

/** The bearer token of a request, if it carries one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The authenticated caller of a guarded route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}

/**
 * Reads the bearer token of every request (its signature), and provides `app.checkSession()`
 * (the session and block state, for the rate limit's key and the guard) and `app.authorize()`,
 * the guard that also checks the permission table, on every request.
 */
export default fp(
  function authentication(
    app: FastifyInstance,
    options: { auth: AuthService; signer: TokenSigner },
  ) {
    app.decorateRequest('accessClaims', undefined);
    app.decorateRequest('principal', undefined);

    app.addHook('onRequest', async (request) => {
      const token = bearerToken(request);
      if (token) request.accessClaims = await options.signer.verify(token);
    });

    // The rate limit's key and the guard both ask; the session is looked up once.
    const sessionChecks = new WeakMap<FastifyRequest, Promise<Principal>>();
    app.decorate('checkSession', (request: FastifyRequest): Promise<Principal> => {
      let check = sessionChecks.get(request);
      if (!check) {
        check = options.auth.authenticateClaims(request.accessClaims);
        sessionChecks.set(request, check);
      }
      return check;
    });

    /**
     * The rate limit's key was checked before its round trip to the shared store, perhaps from
     * this process's memory while a logout, block or role change made by another process was on
     * its way here over pub/sub. Redis writes a published message to every subscriber before it
     * answers any command that reached it later, such as this request's count: so once that
     * answer is in, the announcement is readable here, and `setImmediate` runs after this turn of
     * the event loop has read it. The check made then is a memory lookup, or reads the shared
     * store if the announcement dropped the entry (docs/architecture.md, "Caching").
     */
    async function checkAfterRateLimit(request: FastifyRequest): Promise<Principal> {
      const earlier = sessionChecks.get(request);
      if (!earlier) return app.checkSession(request);
      await earlier;
      await new Promise<void>((resolve) => setImmediate(resolve));
      const check = options.auth.authenticateClaims(request.accessClaims);
      sessionChecks.set(request, check);
      return check;
    }

    app.decorate('authorize', (permission?: Permission): preValidationAsyncHookHandler => {
      return async function guard(request) {
        if (!bearerToken(request)) {
          throw new Unauthorized('Sign-in required: send Authorization: Bearer <token>');
        }
        // The onRequest hook above has already verified the token's signature.
        const principal = await checkAfterRateLimit(request);
        if (permission && !can(principal.role, permission)) {
          throw new Forbidden(`Your role (${principal.role}) may not do this`);
        }
        request.principal = principal;
      };
    });
  },
  { name: 'authentication' },
);
