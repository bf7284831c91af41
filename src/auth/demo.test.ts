import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../test/app.js';
import { signInitData } from '../../test/init-data.js';

describe('POST /auth/demo in demo mode (no bot token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: '' } });
  });
  afterAll(() => t.close());

  it('signs a loopback client in as the seeded demo user of each role', async () => {
    for (const role of ['user', 'agent', 'moderator', 'admin', 'owner']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/demo',
        payload: { role },
      });
      expect(response.statusCode).toBe(200);
      const pair = response.json<{ access_token: string; user: { role: string } }>();
      expect(pair.user.role).toBe(role);
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(pair.access_token),
      });
      expect(me.json().role).toBe(role);
    }
  });

  it('is absent (404) for a client that is not on this machine', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { role: 'admin' },
      remoteAddress: '203.0.113.7',
    });
    expect(response.statusCode).toBe(404);
  });

  it('is absent for a request relayed by a proxy, even a local one', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/demo',
        payload: { role: 'admin' },
        headers: { [header]: header === 'forwarded' ? 'for=127.0.0.1' : '127.0.0.1' },
      });
      expect(response.statusCode, header).toBe(404);
    }
  });

  it('refuses an unknown role with 422', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/demo',
      payload: { role: 'god' },
    });
    expect(response.statusCode).toBe(422);
  });

  it('says Telegram sign-in is off', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/telegram',
      payload: { init_data: signInitData({ id: 1 }) },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('telegram_sign_in_disabled');
  });
});

describe('POST /auth/demo with a bot token', () => {
  it('does not exist', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/demo',
        payload: { role: 'user' },
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
