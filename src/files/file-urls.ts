import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../platform/clock.js';

/** What a link opens: the file itself, or its previews (a preview's link never opens the file). */
export type FileVariant = 'file' | 'preview';

/** The parts of a signed link, as its query carries them. */
export interface SignedLink {
  exp: number;
  sig: string;
  /** The user the link was handed to; it works while they are not blocked. */
  holder: string;
}

/** Signed links to files, for `<img src>` and downloads that cannot send an Authorization header. */
export interface FileUrls {
  /** `/api/v1/files/{id}?exp=…&u=…&sig=…` (or `/preview?…`), for the user `holder`. */
  url(id: string, variant: FileVariant, holder: string): string;
  /** True when `sig` was made by us for this file, variant and holder and `exp` has not passed. */
  verify(id: string, variant: FileVariant, link: SignedLink): boolean;
}

/**
 * Signs file links with an HMAC-SHA256 key derived from the JWT secret. A link names one file,
 * one variant, the user it was handed to and an expiry, and expiries are rounded to the next
 * window so the same link is handed out for a while (browsers cache the image); a link lives
 * between `ttlSeconds` and twice that.
 */
export function createFileUrls(secret: Uint8Array, clock: Clock, ttlSeconds = 3600): FileUrls {
  const key = createHmac('sha256', secret).update('ttb:file-urls:v2').digest();
  const signature = (id: string, variant: FileVariant, exp: number, holder: string) =>
    createHmac('sha256', key).update(`${variant}:${id}.${exp}.${holder}`).digest('base64url');

  return {
    url(id, variant, holder) {
      const now = Math.floor(clock.now().getTime() / 1000);
      const exp = (Math.floor(now / ttlSeconds) + 2) * ttlSeconds;
      const base = `/api/v1/files/${id}${variant === 'preview' ? '/preview' : ''}`;
      return `${base}?exp=${exp}&u=${holder}&sig=${signature(id, variant, exp, holder)}`;
    },
    verify(id, variant, { exp, sig, holder }) {
      if (exp * 1000 <= clock.now().getTime()) return false;
      const expected = Buffer.from(signature(id, variant, exp, holder));
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
