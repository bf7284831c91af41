import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** Access tokens live this long; the Mini App refreshes them before they run out. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = 'telegram-ticket-bot';
/** How many verified tokens a process remembers (about 150 bytes each). */
const VERIFIED_TOKENS_KEPT = 10_000;
const AUDIENCE = 'telegram-ticket-bot/api';

/** What a verified access token says: whose it is and which session it belongs to. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Signs and verifies access JWTs (HS256). The role is deliberately not in the token. */
export function createTokenSigner(secret: Uint8Array, now: () => Date = () => new Date()) {
  const verified = new Map<string, { claims: AccessClaims; expiresAt: number }>();
  const remember = (token: string, claims: AccessClaims, expiresAt: number) => {
    // Oldest first out (a Map keeps insertion order), so the memory stays bounded.
    if (verified.size >= VERIFIED_TOKENS_KEPT) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(token, { claims, expiresAt });
  };
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

    /**
     * The claims of a valid, unexpired token; undefined for anything else. A token that verified
     * is remembered until it expires (its string is the key, so any change to it is a miss): a
     * client sends the same token with every request for up to 15 minutes, and checking its
     * HMAC each time was 6 % of the server's CPU under load (bench/load.ts).
     */
    async verify(token: string): Promise<AccessClaims | undefined> {
      const nowSeconds = Math.floor(now().getTime() / 1000);
      const known = verified.get(token);
      if (known) {
        if (nowSeconds < known.expiresAt) return known.claims;
        verified.delete(token);
        return undefined;
      }
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return undefined;
        const claims = { userId: payload.sub, sessionId: payload.sid };
        if (typeof payload.exp === 'number') remember(token, claims, payload.exp);
        return claims;
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
