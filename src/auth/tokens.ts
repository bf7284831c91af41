import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** Access tokens live this long; the Mini App refreshes them before they run out. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = 'telegram-ticket-bot';
const AUDIENCE = 'telegram-ticket-bot/api';

/** What a verified access token says: whose it is and which session it belongs to. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Signs and verifies access JWTs (HS256). The role is deliberately not in the token. */
export function createTokenSigner(secret: Uint8Array, now: () => Date = () => new Date()) {
  return {
    /** A signed access token for this session. */
    async sign(claims: AccessClaims): Promise<string> {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ sid: claims.sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_S)
        .sign(secret);
    },

    /** The claims of a valid, unexpired token; undefined for anything else. */
    async verify(token: string): Promise<AccessClaims | undefined> {
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return undefined;
        return { userId: payload.sub, sessionId: payload.sid };
      } catch {
        return undefined;
      }
    },
  };
}

/** The access-token signer. */
export type TokenSigner = ReturnType<typeof createTokenSigner>;

/** A new opaque refresh token: 256 random bits, URL-safe. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a refresh token; the token itself is never stored. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
