import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import { meSchema, toMeDto } from '../users/schemas.js';
import type { UserService } from '../users/service.js';
import {
  demoSignInBody,
  profileBody,
  refreshBody,
  telegramSignInBody,
  tokenPairSchema,
} from './schemas.js';
import type { AuthService, ClientMeta, SignInResult } from './service.js';

// eslint-disable-next-line sonarjs/no-hardcoded-ip -- loopback is exactly what demo sign-in allows
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * True only for a client on this machine talking to us directly: a request relayed by a proxy
 * (even a local one) may come from anywhere, so it does not count.
 */
function isLocalClient(request: FastifyRequest): boolean {
  const relayed = FORWARDING_HEADERS.some((header) => request.headers[header] !== undefined);
  return !relayed && LOOPBACK.has(request.socket.remoteAddress ?? '') && LOOPBACK.has(request.ip);
}

function clientMeta(request: FastifyRequest): ClientMeta {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(userAgent ? { userAgent } : {}) };
}

function tokenPair(result: SignInResult) {
  return {
    access_token: result.accessToken,
    refresh_token: result.refreshToken,
    token_type: 'Bearer' as const,
    expires_in: result.expiresIn,
    user: toMeDto(result.user),
  };
}

/** Sign-in, token refresh, logout and the signed-in user's profile. */
export const authRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  users: UserService;
  demoMode: boolean;
  authRateLimitMax: number;
}> = async (app, { auth, users, demoMode, authRateLimitMax }) => {
  const strictLimit = { rateLimit: { max: authRateLimitMax } };
  // A 401 here is a failed sign-in: a strike against the client's address (abuse/).
  const signIn = { ...strictLimit, abuse: 'sign-in' as const };

  app.post(
    '/auth/telegram',
    {
      config: signIn,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with Telegram Mini App init data',
        description:
          'Verifies `initData` as Telegram documents it (HMAC-SHA256 keyed by the bot token, ' +
          'constant-time compare, `auth_date` no older than INIT_DATA_MAX_AGE_S), creates the ' +
          'user on first sign-in or refreshes their profile, and returns a token pair.',
        body: telegramSignInBody,
        response: { 200: tokenPairSchema, ...problemResponses(401, 403, 422, 429) },
      },
    },
    async (request) =>
      tokenPair(await auth.signInWithTelegram(request.body.init_data, clientMeta(request))),
  );

  app.post(
    '/auth/refresh',
    {
      config: signIn,
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token',
        description:
          'Spends the refresh token and returns a new pair. Presenting an already-spent ' +
          'refresh token revokes its whole session.',
        body: refreshBody,
        response: { 200: tokenPairSchema, ...problemResponses(401, 403, 422, 429) },
      },
    },
    async (request) => tokenPair(await auth.refresh(request.body.refresh_token)),
  );

  app.post(
    '/auth/logout',
    {
      preValidation: app.authorize(),
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        description:
          'Revokes the current session: its access and refresh tokens stop working at once.',
        security: [{ bearer: [] }],
        response: { 204: z.null().describe('Signed out'), ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await auth.logout(principalOf(request).sessionId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      preValidation: app.authorize('profile.read'),
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        description: 'The caller’s user record with their notification settings.',
        security: [{ bearer: [] }],
        response: { 200: meSchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => toMeDto(await users.getById(principalOf(request).userId)),
  );

  app.put(
    '/auth/profile',
    {
      preValidation: app.authorize('profile.update'),
      schema: {
        tags: ['auth'],
        summary: 'Edit my profile',
        description:
          'Changes the interface language, which notification kinds reach Telegram, and for ' +
          'staff whether they are on duty (a customer sending `on_duty` gets 403).',
        security: [{ bearer: [] }],
        body: profileBody,
        response: { 200: meSchema, ...problemResponses(401, 403, 422) },
      },
    },
    async (request) =>
      toMeDto(await users.updateProfile(principalOf(request).userId, request.body)),
  );

  if (demoMode) {
    app.post(
      '/auth/demo',
      {
        config: strictLimit,
        schema: {
          tags: ['auth'],
          summary: 'Demo sign-in (demo mode, loopback only)',
          description:
            'Only when the server has no bot token, and only for clients on this machine: ' +
            'signs in as the seeded demo user of the given role.',
          body: demoSignInBody,
          response: { 200: tokenPairSchema, ...problemResponses(404, 422, 429) },
        },
      },
      async (request, reply) => {
        if (!isLocalClient(request)) {
          return reply.callNotFound();
        }
        return tokenPair(await auth.signInDemo(request.body.role, clientMeta(request)));
      },
    );
  }
};
