import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveJwtSecret } from './jwt-secret.js';
import { createTokenSigner, hashRefreshToken, newRefreshToken } from './tokens.js';

const secret = new TextEncoder().encode('s'.repeat(40));
const claims = {
  userId: '01a20d14-9184-7650-8cac-5a52912f384b',
  sessionId: '01a20d14-9184-7650-8cac-5a52912f3999',
};

describe('access tokens', () => {
  it('verify while fresh and carry the user and session, not the role', async () => {
    const signer = createTokenSigner(secret);
    const token = await signer.sign(claims);
    expect(await signer.verify(token)).toEqual(claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).not.toHaveProperty('role');
  });

  it('stop verifying after 15 minutes', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const signer = createTokenSigner(secret, () => now);
    const token = await signer.sign(claims);
    now = new Date('2026-11-24T10:14:00Z');
    expect(await signer.verify(token)).toEqual(claims);
    now = new Date('2026-11-24T10:16:00Z');
    expect(await signer.verify(token)).toBeUndefined();
  });

  it('refuse a changed copy of a token that verified a moment ago', async () => {
    const signer = createTokenSigner(secret);
    const token = await signer.sign(claims);
    expect(await signer.verify(token)).toEqual(claims);
    const [header, , signature] = token.split('.');
    const otherUser = Buffer.from(
      JSON.stringify({ sub: 'someone-else', sid: claims.sessionId, exp: 4_102_444_800 }),
    ).toString('base64url');
    expect(await signer.verify(`${header}.${otherUser}.${signature}`)).toBeUndefined();
    expect(await signer.verify(`${token}x`)).toBeUndefined();
    expect(await signer.verify(token)).toEqual(claims);
  });

  it('do not verify with another key, or when they are not JWTs', async () => {
    const token = await createTokenSigner(secret).sign(claims);
    const other = createTokenSigner(new TextEncoder().encode('o'.repeat(40)));
    expect(await other.verify(token)).toBeUndefined();
    expect(await other.verify('garbage')).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  it('are long, random and stored only as a hash', () => {
    const token = newRefreshToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(newRefreshToken()).not.toBe(token);
    expect(hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).not.toContain(token);
  });
});

describe('resolveJwtSecret', () => {
  it('uses JWT_SECRET when it is set', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-secret-'));
    expect(new TextDecoder().decode(resolveJwtSecret('c'.repeat(32), dir))).toBe('c'.repeat(32));
  });

  it('generates a key once, keeps it private in DATA_DIR and reuses it after a restart', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-secret-'));
    const first = resolveJwtSecret(undefined, dir);
    const second = resolveJwtSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toEqual(first);
    const file = path.join(dir, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(new TextDecoder().decode(first));
  });
});

describe('resolveJwtSecret with a damaged key file', () => {
  it('refuses to start rather than sign with a short key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-secret-'));
    writeFileSync(path.join(dir, 'jwt-secret'), 'short\n');
    expect(() => resolveJwtSecret(undefined, dir)).toThrow(/no usable key/);
  });
});
