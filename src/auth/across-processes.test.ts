import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { signInAs } from '../../test/people.js';

// Two processes of one install: two apps on one PostgreSQL database and one Redis prefix, each
// answering HTTP on a port of its own, so a change's answer reaches the client as it would from
// another machine. Real services only (vitest.config.ts `servicesOnly`).
describe.runIf(testRedisUrl !== undefined)('sessions and access across two processes', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps.toReversed()) await app.close();
  });

  async function twoProcesses() {
    const prefix = uniquePrefix();
    // One install: one signing secret.
    const env = { JWT_SECRET: 'across-processes-test-secret-of-32+chars' };
    const a = await createTestApp({ env, redisPrefix: prefix });
    apps.push(a);
    const b = await createTestApp({ env, database: a.container.database, redisPrefix: prefix });
    apps.push(b);
    const urlOf = async (t: TestApp) => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1`;
    };
    return { a, urlA: await urlOf(a), urlB: await urlOf(b) };
  }

  const call = async (url: string, token: string, method = 'GET') =>
    (await fetch(url, { method, headers: { authorization: `Bearer ${token}` } })).status;

  it('refuses on the other process, at once, a session logged out or a user blocked on one', async () => {
    const { a, urlA, urlB } = await twoProcesses();
    const leaving = await signInAs(a, 'user');
    const blocked = await signInAs(a, 'user');
    // Both processes have checked both sessions, and keep what they read.
    for (const url of [urlA, urlB]) {
      for (const person of [leaving, blocked]) {
        expect(await call(`${url}/auth/me`, person.token)).toBe(200);
        expect(await call(`${url}/auth/me`, person.token)).toBe(200);
      }
    }
    expect(await call(`${urlA}/auth/logout`, leaving.token, 'POST')).toBe(204);
    expect(await call(`${urlB}/auth/me`, leaving.token)).toBe(401);
    await a.container.users.setActive(blocked.id, false);
    expect(await call(`${urlB}/auth/me`, blocked.token)).toBe(403);
    await a.container.users.setActive(blocked.id, true);
    expect(await call(`${urlB}/auth/me`, blocked.token)).toBe(200);
  }, 60_000);

  it('gives the other process a role change at once', async () => {
    const { a, urlB } = await twoProcesses();
    const promoted = await signInAs(a, 'user');
    expect(await call(`${urlB}/users?limit=1`, promoted.token)).toBe(403);
    await a.container.users.setRole(promoted.id, 'admin');
    expect(await call(`${urlB}/users?limit=1`, promoted.token)).toBe(200);
  }, 60_000);
});
