import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../db/schema.js';
import { accessChanged } from '../events/domain-events.js';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { signInitData } from '../../test/init-data.js';

let t: TestApp;
beforeAll(async () => {
  // Every sign-in here comes from one address; the sign-in limit is tested in http/app.test.ts.
  t = await createTestApp({ env: { OWNER_TELEGRAM_IDS: '7000001', AUTH_RATE_LIMIT_MAX: '1000' } });
});
afterAll(() => t.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers });
const me = (token: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

describe('POST /auth/telegram', () => {
  it('creates the user on first sign-in and returns a working token pair', async () => {
    const pair = await signIn(t, {
      id: 5001,
      first_name: 'Olga',
      username: 'olga',
      language_code: 'ru',
      is_premium: true,
    });
    expect(pair.token_type).toBe('Bearer');
    expect(pair.expires_in).toBe(900);
    expect(pair.user).toMatchObject({
      telegram_id: 5001,
      first_name: 'Olga',
      role: 'user',
      is_active: true,
    });
    const response = await me(pair.access_token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: pair.user.id,
      username: 'olga',
      language_code: 'ru',
      is_premium: true,
      notification_settings: { muted_types: [] },
    });
  });

  it('refreshes names and username on a later sign-in, keeping the same user', async () => {
    const first = await signIn(t, { id: 5002, first_name: 'Ivan', username: 'ivan' });
    const second = await signIn(t, {
      id: 5002,
      first_name: 'Ivan',
      last_name: 'Petrov',
      username: 'ivan_p',
      photo_url: 'https://t.me/i/userpic/320/ivan.jpg',
    });
    expect(second.user.id).toBe(first.user.id);
    expect((await me(second.access_token)).json()).toMatchObject({
      last_name: 'Petrov',
      username: 'ivan_p',
    });
  });

  it('makes the Telegram ids in OWNER_TELEGRAM_IDS owners', async () => {
    const pair = await signIn(t, { id: 7000001, first_name: 'Boss' });
    expect(pair.user.role).toBe('owner');
  });

  it.each([
    ['a tampered field', () => signInitData({ id: 5003 }).replace('auth_date=', 'auth_date=1')],
    [
      'a foreign bot token',
      () => signInitData({ id: 5003 }, { botToken: '1:another-token-aaaaaaaaaaaaaaaa' }),
    ],
    [
      'a stale auth_date',
      () => signInitData({ id: 5003 }, { authDate: new Date(Date.now() - 2 * 86_400_000) }),
    ],
    ['a missing hash', () => signInitData({ id: 5003 }).replace(/&?hash=[0-9a-f]+/, '')],
  ])('answers 401 problem+json for %s', async (_case, initData) => {
    const response = await post('/auth/telegram', { init_data: initData() });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['a number', { init_data: 42 }],
    ['an empty string', { init_data: '' }],
    ['a huge string', { init_data: 'x'.repeat(9000) }],
    ['an array', [1, 2, 3]],
  ])('answers 4xx, never 500, for %s', async (_case, payload) => {
    const response = await post('/auth/telegram', payload);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/telegram',
      headers: { 'content-type': 'application/json' },
      payload: '{"init_data": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toBe('The body is not valid JSON');
  });
});

describe('POST /auth/refresh', () => {
  it('rotates: the new pair works and the old refresh token does not', async () => {
    const pair = await signIn(t, { id: 5101 });
    const rotated = await post('/auth/refresh', { refresh_token: pair.refresh_token });
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json<{ access_token: string; refresh_token: string }>();
    expect(next.refresh_token).not.toBe(pair.refresh_token);
    expect((await me(next.access_token)).statusCode).toBe(200);
    const again = await post('/auth/refresh', { refresh_token: next.refresh_token });
    expect(again.statusCode).toBe(200);
  });

  it('revokes the whole session when a spent refresh token is presented again', async () => {
    const pair = await signIn(t, { id: 5102 });
    const rotated = (await post('/auth/refresh', { refresh_token: pair.refresh_token })).json<{
      access_token: string;
      refresh_token: string;
    }>();
    const replay = await post('/auth/refresh', { refresh_token: pair.refresh_token });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('refresh_token_reused');
    expect((await me(rotated.access_token)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: rotated.refresh_token })).statusCode).toBe(
      401,
    );
  });

  it('refuses an unknown refresh token and a malformed body', async () => {
    const unknown = await post('/auth/refresh', { refresh_token: 'made-up' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().code).toBe('refresh_token_invalid');
    const malformed = await post('/auth/refresh', { token: 'x' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().errors).toEqual([expect.objectContaining({ field: 'refresh_token' })]);
  });
});

describe('POST /auth/logout', () => {
  it('ends the session: its access and refresh tokens stop working at once', async () => {
    const pair = await signIn(t, { id: 5201 });
    const other = await signIn(t, { id: 5201 });
    const logout = await post('/auth/logout', undefined, bearer(pair.access_token));
    expect(logout.statusCode).toBe(204);
    expect((await me(pair.access_token)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: pair.refresh_token })).statusCode).toBe(
      401,
    );
    expect((await me(other.access_token)).statusCode).toBe(200);
  });

  it('refuses a session ended by another process whose announcement comes in with the rate count', async () => {
    const pair = await signIn(t, { id: 5202 });
    // Kept in this process's memory from here on.
    expect((await me(pair.access_token)).statusCode).toBe(200);
    // Another process ends it: the row and the shared entry change, and it announces it while
    // this request is on its way, before the request's hit is counted. Redis writes the
    // announcement here before it answers that count (see http/plugins/authentication.ts), but
    // the two arrive on different connections, in either order.
    const sessionId = decodeJwt(pair.access_token).sid as string;
    const now = t.container.clock.now();
    await t.container.database.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(eq(sessions.id, sessionId));
    await t.container.cache.delete(`session-state:${sessionId}`);
    const store = t.container.rateLimitStore;
    const hit = store.hit.bind(store);
    let announced = false;
    store.hit = async (key, windowMs) => {
      store.hit = hit;
      announced = true;
      await t.container.events.publish([
        accessChanged({ id: pair.user.id, revoked_session_id: sessionId }, pair.user.id, now),
      ]);
      return hit(key, windowMs);
    };
    expect((await me(pair.access_token)).statusCode).toBe(401);
    expect(announced).toBe(true);
  });
});

describe('GET /auth/me', () => {
  it('answers 401 without a token, with a bad token and with a forged one', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await me('not-a-jwt')).statusCode).toBe(401);
    const pair = await signIn(t, { id: 5301 });
    const [header, payload] = pair.access_token.split('.');
    expect((await me(`${header}.${payload}.forgedsignature`)).statusCode).toBe(401);
    const basic = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Basic abc' },
    });
    expect(basic.statusCode).toBe(401);
  });
});

describe('blocking and role changes', () => {
  it('refuses a blocked user on the very next request and at sign-in', async () => {
    const pair = await signIn(t, { id: 5401 });
    expect((await me(pair.access_token)).statusCode).toBe(200);
    await t.container.users.setActive(pair.user.id, false);
    const refused = await me(pair.access_token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('user_blocked');
    const signInAgain = await post('/auth/telegram', { init_data: signInitData({ id: 5401 }) });
    expect(signInAgain.statusCode).toBe(403);
    expect((await post('/auth/refresh', { refresh_token: pair.refresh_token })).statusCode).toBe(
      403,
    );
    await t.container.users.setActive(pair.user.id, true);
    expect((await me(pair.access_token)).statusCode).toBe(200);
  });

  it('applies a role change on the next request, not when the token expires', async () => {
    const pair = await signIn(t, { id: 5402 });
    await t.container.auth.authenticate(pair.access_token);
    await t.container.users.setRole(pair.user.id, 'agent');
    expect((await t.container.auth.authenticate(pair.access_token)).role).toBe('agent');
    expect((await me(pair.access_token)).json().role).toBe('agent');
  });
});

describe('PUT /auth/profile', () => {
  it('changes the language and muted notification kinds', async () => {
    const pair = await signIn(t, { id: 5501, language_code: 'ru' });
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: bearer(pair.access_token),
      payload: { language_code: 'en', notification_settings: { muted_types: ['broadcast'] } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      language_code: 'en',
      notification_settings: { muted_types: ['broadcast'] },
    });
    expect((await me(pair.access_token)).json().language_code).toBe('en');
  });

  it('answers 422 naming the field for invalid values and unknown fields', async () => {
    const pair = await signIn(t, { id: 5502 });
    const put = (payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/auth/profile',
        headers: bearer(pair.access_token),
        payload,
      });
    const badLanguage = await put({ language_code: 'English!!' });
    expect(badLanguage.statusCode).toBe(422);
    expect(badLanguage.json().errors[0].field).toBe('language_code');
    const badKind = await put({ notification_settings: { muted_types: ['spam'] } });
    expect(badKind.statusCode).toBe(422);
    expect(badKind.json().errors[0].field).toBe('notification_settings.muted_types.0');
    const unknownField = await put({ role: 'owner' });
    expect(unknownField.statusCode).toBe(422);
    expect(unknownField.json().errors).toEqual([
      { field: 'role', message: 'is not a known field' },
    ]);
  });
});

describe('PUT /auth/profile: quiet hours and the daily digest', () => {
  const put = (token: string, payload: object) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: bearer(token),
      payload,
    });

  it('shows quiet hours off and no digest until set, then keeps what was set', async () => {
    const pair = await signIn(t, { id: 5601 });
    expect((await me(pair.access_token)).json().notification_settings).toEqual({
      muted_types: [],
      quiet_hours: null,
      digest: false,
    });
    const set = await put(pair.access_token, {
      notification_settings: {
        muted_types: ['broadcast'],
        quiet_hours: { start: '22:00', end: '08:00' },
        digest: false,
      },
    });
    expect(set.statusCode).toBe(200);
    expect((await me(pair.access_token)).json().notification_settings).toEqual({
      muted_types: ['broadcast'],
      quiet_hours: { start: '22:00', end: '08:00' },
      digest: false,
    });
  });

  it('keeps quiet hours a client that knows only muted_types did not send', async () => {
    const pair = await signIn(t, { id: 5602 });
    await put(pair.access_token, {
      notification_settings: { muted_types: [], quiet_hours: { start: '23:00', end: '07:00' } },
    });
    const older = await put(pair.access_token, {
      notification_settings: { muted_types: ['system'] },
    });
    expect(older.json().notification_settings).toEqual({
      muted_types: ['system'],
      quiet_hours: { start: '23:00', end: '07:00' },
      digest: false,
    });
    const off = await put(pair.access_token, {
      notification_settings: { muted_types: [], quiet_hours: null },
    });
    expect(off.json().notification_settings.quiet_hours).toBeNull();
  });

  it('answers 422 naming the field for quiet hours that are not HH:MM or that end as they start', async () => {
    const pair = await signIn(t, { id: 5603 });
    const cases: [object, string][] = [
      [{ start: '24:00', end: '08:00' }, 'notification_settings.quiet_hours.start'],
      [{ start: '22:00', end: '8:00' }, 'notification_settings.quiet_hours.end'],
      [{ start: '22:00' }, 'notification_settings.quiet_hours.end'],
      [{ start: '22:00', end: '22:00' }, 'notification_settings.quiet_hours.end'],
      [{ start: '22:00', end: '08:00', zone: 'UTC' }, 'notification_settings.quiet_hours.zone'],
    ];
    for (const [quiet, field] of cases) {
      const response = await put(pair.access_token, {
        notification_settings: { muted_types: [], quiet_hours: quiet },
      });
      expect(response.statusCode, JSON.stringify(quiet)).toBe(422);
      expect(response.json().errors[0].field).toBe(field);
    }
    const notBoolean = await put(pair.access_token, {
      notification_settings: { muted_types: [], digest: 'yes' },
    });
    expect(notBoolean.statusCode).toBe(422);
    expect(notBoolean.json().errors[0].field).toBe('notification_settings.digest');
    expect((await me(pair.access_token)).json().notification_settings.quiet_hours).toBeNull();
  });

  it('lets staff take the daily digest, and refuses it to a customer with 403', async () => {
    const customer = await signIn(t, { id: 5604 });
    const refused = await put(customer.access_token, {
      notification_settings: { muted_types: [], digest: true },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('digest_staff_only');
    expect((await me(customer.access_token)).json().notification_settings.digest).toBe(false);
    // Sending back what GET /auth/me showed (digest off) is fine for anyone.
    const unchanged = await put(customer.access_token, {
      notification_settings: { muted_types: [], quiet_hours: null, digest: false },
    });
    expect(unchanged.statusCode).toBe(200);

    const agent = await signIn(t, { id: 5605 });
    await t.container.users.setRole(agent.user.id, 'agent');
    const taken = await put(agent.access_token, {
      notification_settings: { muted_types: [], digest: true },
    });
    expect(taken.statusCode).toBe(200);
    expect(taken.json().notification_settings.digest).toBe(true);
  });
});

describe('on duty', () => {
  const putProfile = (token: string, payload: object) =>
    t.app.inject({ method: 'PUT', url: '/api/v1/auth/profile', headers: bearer(token), payload });

  it('is on for everyone at first; a staff member goes off duty and back', async () => {
    const pair = await signIn(t, { id: 5611 });
    await t.container.users.setRole(pair.user.id, 'agent');
    expect((await me(pair.access_token)).json().on_duty).toBe(true);
    const off = await putProfile(pair.access_token, { on_duty: false });
    expect(off.statusCode).toBe(200);
    expect(off.json().on_duty).toBe(false);
    expect((await me(pair.access_token)).json().on_duty).toBe(false);
    const users = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${pair.user.id}`,
      headers: bearer(pair.access_token),
    });
    expect(users.json().on_duty).toBe(false);
    expect((await putProfile(pair.access_token, { on_duty: true })).json().on_duty).toBe(true);
  });

  it('refuses a customer setting it (403 problem), and changes nothing else', async () => {
    const pair = await signIn(t, { id: 5612, language_code: 'ru' });
    const response = await putProfile(pair.access_token, { on_duty: false, language_code: 'en' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().detail).toMatch(/staff/);
    const after = (await me(pair.access_token)).json();
    expect(after).toMatchObject({ on_duty: true, language_code: 'ru' });
  });

  it('refuses a value that is not true or false (422)', async () => {
    const pair = await signIn(t, { id: 5613 });
    await t.container.users.setRole(pair.user.id, 'agent');
    const response = await putProfile(pair.access_token, { on_duty: 'no' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].field).toBe('on_duty');
  });
});

describe('a new JWT_SECRET', () => {
  it('refuses access tokens signed with the old one; their refresh tokens still give a new pair', async () => {
    const before = await createTestApp({
      env: { JWT_SECRET: 'the-old-signing-key-of-32-characters-or-more' },
    });
    // The same database, restarted with another key (docs/operations.md, "Rotate secrets").
    const after = await createTestApp({
      env: { JWT_SECRET: 'the-new-signing-key-of-32-characters-or-more' },
      database: before.container.database,
    });
    try {
      const pair = await signIn(before, { id: 5401, first_name: 'Rita' });
      const meOn = (app: TestApp, token: string) =>
        app.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

      const refused = await meOn(after, pair.access_token);
      expect(refused.statusCode).toBe(401);
      // The code on which the Mini App refreshes and retries (web/src/api/client.ts).
      expect(refused.json().code).toBe('token_invalid');

      const rotated = await after.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: pair.refresh_token },
      });
      expect(rotated.statusCode).toBe(200);
      const next = rotated.json<{ access_token: string }>();
      const answer = await meOn(after, next.access_token);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ id: pair.user.id, first_name: 'Rita' });
    } finally {
      await after.close();
      await before.close();
    }
  });
});
