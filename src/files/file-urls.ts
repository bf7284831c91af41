import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../platform/clock.js';

/** What a link opens: the file itself, or its previews (a preview's link never opens the file). */
export type FileVariant = 'file' | 'preview';

/** Signed links to files, for `<img src>` and downloads that cannot send an Authorization header. */
export interface FileUrls {
  /** `/api/v1/files/{id}?exp=…&sig=…` (or `/preview?…`). */
  url(id: string, variant: FileVariant): string;
  /** True when `sig` was made by us for this file and variant and `exp` has not passed. */
  verify(id: string, variant: FileVariant, exp: number, sig: string): boolean;
}

/**
 * Signs file links with an HMAC-SHA256 key derived from the JWT secret. A link names one file,
 * one variant and an expiry, and expiries are rounded to the next window so the same link is handed out for
 * a while (browsers cache the image); a link lives between `ttlSeconds` and twice that.
 */
export function createFileUrls(secret: Uint8Array, clock: Clock, ttlSeconds = 3600): FileUrls {
  const key = createHmac('sha256', secret).update('ttb:file-urls:v1').digest();
  const signature = (id: string, variant: FileVariant, exp: number) =>
    createHmac('sha256', key).update(`${variant}:${id}.${exp}`).digest('base64url');

  return {
    url(id, variant) {
      const now = Math.floor(clock.now().getTime() / 1000);
      const exp = (Math.floor(now / ttlSeconds) + 2) * ttlSeconds;
      const base = `/api/v1/files/${id}${variant === 'preview' ? '/preview' : ''}`;
      return `${base}?exp=${exp}&sig=${signature(id, variant, exp)}`;
    },
    verify(id, variant, exp, sig) {
      if (exp * 1000 <= clock.now().getTime()) return false;
      const expected = Buffer.from(signature(id, variant, exp));
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
