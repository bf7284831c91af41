import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { refreshTokens, sessions, type UserRole, type UserRow } from '../db/schema.js';
import { demoTelegramIds } from '../db/seed.js';
import { Forbidden, NotFound, Unauthorized } from '../errors.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { Cache } from '../platform/cache.js';
import type { LocalCache } from '../platform/local-cache.js';
import type { SessionState } from './access-cache.js';
import { accessChanged } from '../events/domain-events.js';
import type { Clock } from '../platform/clock.js';
import type { UserService } from '../users/service.js';
import {
  ACCESS_TOKEN_TTL_S,
  hashRefreshToken,
  newRefreshToken,
  type AccessClaims,
  type TokenSigner,
} from './tokens.js';
import type { Principal } from './principal.js';
import { verifyInitData } from './verify-init-data.js';

/** A session lasts this long after its last refresh. */
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const SESSION_STATE_TTL_S = 60;
const sessionKey = (sessionId: string) => `session-state:${sessionId}`;

export type { Principal } from './principal.js';

/** Where a sign-in came from, kept on the session for the user's device list. */
export interface ClientMeta {
  ip?: string;
  userAgent?: string;
}

/** A fresh token pair and the user it belongs to. */
export interface SignInResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserRow;
}

/** Creates the auth service: the only writer of `sessions` and `refresh_tokens`. */
export function createAuthService(deps: {
  db: Db;
  cache: Cache;
  /**
   * Session states kept in this process in front of `cache` (`access-cache.ts`); dropped here
   * on every revocation and refresh, and by every process's `user.access_changed`.
   */
  localSessions?: LocalCache<SessionState>;
  clock: Clock;
  users: UserService;
  signer: TokenSigner;
  botToken: string | undefined;
  initDataMaxAgeS: number;
  /** Revoking a session raises `user.access_changed` through it, so its open sockets close. */
  uow: UnitOfWork;
}) {
  const { db, uow, cache, clock, users, signer } = deps;

  async function issue(sessionId: string, user: UserRow): Promise<SignInResult> {
    const refreshToken = newRefreshToken();
    await db
      .insert(refreshTokens)
      .values({ tokenHash: hashRefreshToken(refreshToken), sessionId, createdAt: clock.now() });
    const accessToken = await signer.sign({ userId: user.id, sessionId });
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_S, user };
  }

  async function startSession(user: UserRow, meta: ClientMeta): Promise<SignInResult> {
    if (!user.isActive) throw new Forbidden('This account is blocked', 'user_blocked');
    const now = clock.now();
    const [session] = await db
      .insert(sessions)
      .values({
        userId: user.id,
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, 500) ?? null,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
      })
      .returning({ id: sessions.id });
    if (!session) throw new Error('session insert returned no row');
    return issue(session.id, user);
  }

  /**
   * Revokes a session; once that has committed, drops its cached state and announces it as
   * `user.access_changed`, so the realtime gateway closes the sockets signed in with it at once.
   */
  async function revokeSession(sessionId: string): Promise<void> {
    const now = clock.now();
    await uow.run(async (work) => {
      const revoked = await work.tx
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ userId: sessions.userId });
      work.afterCommit(() => {
        deps.localSessions?.forget(sessionId);
        return cache.delete(sessionKey(sessionId));
      });
      const userId = revoked[0]?.userId;
      if (userId === undefined) return;
      work.raise(accessChanged({ id: userId, revoked_session_id: sessionId }, userId, now));
    });
  }

  /**
   * The session's state: from this process's memory, else the shared cache, else the database.
   * One that looks expired is read again before it is believed: a refresh in another process
   * moves the expiry without announcing it.
   */
  async function sessionState(sessionId: string): Promise<SessionState | undefined> {
    const { localSessions } = deps;
    if (!localSessions) return sharedSessionState(sessionId);
    const state = await localSessions.get(sessionId, () => sharedSessionState(sessionId));
    if (!state || state.revoked || state.expires_at >= clock.now().getTime()) return state;
    localSessions.forget(sessionId);
    return sharedSessionState(sessionId);
  }

  /** The session's state from the shared cache, else the database. */
  async function sharedSessionState(sessionId: string): Promise<SessionState | undefined> {
    const cached = await cache.get<SessionState>(sessionKey(sessionId));
    if (cached) return cached;
    const [row] = await db
      .select({
        userId: sessions.userId,
        revokedAt: sessions.revokedAt,
        expiresAt: sessions.expiresAt,
      })
      .from(sessions)
      .where(eq(sessions.id, sessionId));
    if (!row) return undefined;
    const state = {
      user_id: row.userId,
      revoked: row.revokedAt !== null,
      expires_at: row.expiresAt.getTime(),
    };
    await cache.set(sessionKey(sessionId), state, SESSION_STATE_TTL_S);
    return state;
  }

  async function authenticateClaims(claims: AccessClaims | undefined): Promise<Principal> {
    if (!claims) throw new Unauthorized('Invalid or expired access token', 'token_invalid');
    // Both at once: with Redis they travel in one round trip (auto-pipelining).
    const [state, access] = await Promise.all([
      sessionState(claims.sessionId),
      users.getAccess(claims.userId),
    ]);
    if (!state || state.user_id !== claims.userId) {
      throw new Unauthorized('Unknown session', 'session_revoked');
    }
    if (state.revoked || state.expires_at < clock.now().getTime()) {
      throw new Unauthorized('This session has ended; sign in again', 'session_revoked');
    }
    if (!access) throw new Unauthorized('Unknown user', 'token_invalid');
    if (!access.is_active) throw new Forbidden('This account is blocked', 'user_blocked');
    return { userId: access.id, role: access.role, sessionId: claims.sessionId };
  }

  return {
    /** Signs in with Mini App launch data; creates the user on first sign-in. */
    async signInWithTelegram(initData: string, meta: ClientMeta): Promise<SignInResult> {
      if (!deps.botToken) {
        throw new Unauthorized(
          'Telegram sign-in is off: the server has no bot token (demo mode)',
          'telegram_sign_in_disabled',
        );
      }
      const verified = verifyInitData(initData, deps.botToken, {
        maxAgeSeconds: deps.initDataMaxAgeS,
        now: clock.now(),
      });
      const user = await users.upsertFromTelegram(verified.user);
      return startSession(user, meta);
    },

    /** Demo mode: signs in as the seeded demo user of `role`. */
    async signInDemo(role: UserRole, meta: ClientMeta): Promise<SignInResult> {
      const user = await users.findByTelegramId(demoTelegramIds[role]);
      if (!user) throw new NotFound(`No demo ${role} is seeded`);
      return startSession(user, meta);
    },

    /**
     * Rotates a refresh token: the presented one is spent and a new pair is issued. A spent
     * token presented again means it was stolen or replayed, so the whole session is revoked.
     */
    async refresh(refreshToken: string): Promise<SignInResult> {
      const tokenHash = hashRefreshToken(refreshToken);
      const now = clock.now();
      const [found] = await db
        .select({
          usedAt: refreshTokens.usedAt,
          sessionId: sessions.id,
          userId: sessions.userId,
          revokedAt: sessions.revokedAt,
          expiresAt: sessions.expiresAt,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash));
      if (!found) throw new Unauthorized('Unknown refresh token', 'refresh_token_invalid');
      if (found.revokedAt !== null || found.expiresAt < now) {
        throw new Unauthorized('This session has ended; sign in again', 'session_revoked');
      }
      const reused = async () => {
        await revokeSession(found.sessionId);
        return new Unauthorized(
          'This refresh token was already used; the session has been ended for safety',
          'refresh_token_reused',
        );
      };
      if (found.usedAt !== null) throw await reused();
      // A blocked user keeps their token unspent, so it still works once they are unblocked.
      const user = await users.getById(found.userId);
      if (!user.isActive) throw new Forbidden('This account is blocked', 'user_blocked');

      const [spent] = await db
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
        .returning({ sessionId: refreshTokens.sessionId });
      // Two refreshes raced with one token: the loser is treated as a replay.
      if (!spent) throw await reused();
      await db
        .update(sessions)
        .set({ lastUsedAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) })
        .where(eq(sessions.id, found.sessionId));
      deps.localSessions?.forget(found.sessionId);
      await cache.delete(sessionKey(found.sessionId));
      return issue(found.sessionId, user);
    },

    /** Ends a session: its access and refresh tokens stop working at once. */
    logout: revokeSession,

    /**
     * Establishes who is calling from an access token. The session and the user's role and
     * block state are checked on every request (from a cache dropped on every change), so a
     * logout, a block or a role change takes effect on the very next request.
     */
    async authenticate(accessToken: string): Promise<Principal> {
      return authenticateClaims(await signer.verify(accessToken));
    },

    /** As `authenticate`, for a token whose signature the caller has already verified. */
    authenticateClaims,
  };
}

/** The auth service. */
export type AuthService = ReturnType<typeof createAuthService>;
