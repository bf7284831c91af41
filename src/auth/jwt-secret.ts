import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The signing key: JWT_SECRET when set, otherwise one generated on first start and kept in
 * `DATA_DIR/jwt-secret` (mode 0600) so tokens survive restarts.
 */
export function resolveJwtSecret(configured: string | undefined, dataDir: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = path.resolve(dataDir, 'jwt-secret');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // Exclusive create: of several processes starting at once on one DATA_DIR, one key wins
    // and the others read it back.
    writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = readFileSync(file, 'utf8').trim();
  if (stored.length < 32) {
    throw new Error(
      `${file} holds no usable key (under 32 characters): delete it or set JWT_SECRET`,
    );
  }
  return new TextEncoder().encode(stored);
}
