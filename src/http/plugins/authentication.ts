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
 * Reads the bearer token of every request (signature only, so rate limits can be per user),
 * and provides `app.authorize()`, the guard that checks the session, the block state and the
 * permission table on every request.
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

    app.decorate('authorize', (permission?: Permission): preValidationAsyncHookHandler => {
      return async function guard(request) {
        if (!bearerToken(request)) {
          throw new Unauthorized('Sign-in required: send Authorization: Bearer <token>');
        }
        // The onRequest hook above has already verified the token's signature.
        const principal = await options.auth.authenticateClaims(request.accessClaims);
        if (permission && !can(principal.role, permission)) {
          throw new Forbidden(`Your role (${principal.role}) may not do this`);
        }
        request.principal = principal;
      };
    });
  },
  { name: 'authentication' },
);
