import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import type { TestTelegramUser } from '../../test/init-data.js';
import type { UserRole } from '../db/schema.js';

let t: TestApp;
let nextTelegramId = 8_100_000;

interface Member {
  id: string;
  token: string;
}

/** Signs a new Telegram user in and gives them `role`. */
async function member(role: UserRole, profile: Partial<TestTelegramUser> = {}): Promise<Member> {
  nextTelegramId += 1;
  const pair = await signIn(t, { id: nextTelegramId, ...profile });
  if (role !== 'user') await t.container.users.setRole(pair.user.id, role);
  return { id: pair.user.id, token: pair.access_token };
}

const send = (method: 'GET' | 'PUT', url: string, who: Member, payload?: object) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: bearer(who.token),
    ...(payload === undefined ? {} : { payload }),
  });
const get = (url: string, who: Member) => send('GET', url, who);
const setRole = (who: Member, target: { id: string }, role: string) =>
  send('PUT', `/users/${target.id}/role`, who, { role });
const setActive = (who: Member, target: { id: string }, isActive: unknown) =>
  send('PUT', `/users/${target.id}/status`, who, { is_active: isActive });

const missing = '01a20d14-0000-7000-8000-000000000000';
let owner: Member;
let admin: Member;
let moderator: Member;
let agent: Member;
let plain: Member;

beforeAll(async () => {
  t = await createTestApp({
    env: { OWNER_TELEGRAM_IDS: '8000001', AUTH_RATE_LIMIT_MAX: '1000', RATE_LIMIT_MAX: '10000' },
  });
  const pair = await signIn(t, { id: 8_000_001, first_name: 'Owner' });
  owner = { id: pair.user.id, token: pair.access_token };
  admin = await member('admin');
  moderator = await member('moderator');
  agent = await member('agent');
  plain = await member('user');
});
afterAll(() => t.close());

describe('GET /users', () => {
  const ids = (response: { json(): { items: { id: string }[] } }) =>
    response.json().items.map((item) => item.id);

  it('refuses callers without a token (401) and agents and users (403)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
    expect((await get('/users', agent)).statusCode).toBe(403);
    expect((await get('/users', plain)).statusCode).toBe(403);
    expect((await get('/users?role=agent&is_active=true', plain)).statusCode).toBe(403);
  });

  it('lets an agent list active colleagues of a staff role, and nothing else', async () => {
    const colleagues = await get('/users?role=agent&is_active=true&limit=100', agent);
    expect(colleagues.statusCode).toBe(200);
    expect(ids(colleagues)).toContain(agent.id);
    expect((await get('/users?role=admin&is_active=true', agent)).json()).toMatchObject({
      items: [{ id: admin.id }],
    });
    for (const refused of [
      '/users?role=user&is_active=true',
      '/users?role=agent',
      '/users?role=agent&is_active=false',
      '/users?is_active=true',
    ]) {
      const response = await get(refused, agent);
      expect(response.statusCode, refused).toBe(403);
      expect(response.json<{ detail: string }>().detail).toContain('active staff only');
    }
  });

  it('lists users newest first for a moderator', async () => {
    const response = await get('/users?limit=100', moderator);
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: { id: string; created_at: string }[] }>();
    expect(items.map((item) => item.id)).toEqual(
      expect.arrayContaining([owner.id, admin.id, moderator.id, agent.id, plain.id]),
    );
    for (const [index, item] of items.slice(1).entries()) {
      const previous = items[index]!;
      const sameTime = previous.created_at === item.created_at;
      expect(previous.created_at > item.created_at || (sameTime && previous.id > item.id)).toBe(
        true,
      );
    }
  });

  it('finds users by the start of their username, with or without @, in any case', async () => {
    const zina = await member('user', { username: 'zinaida_k', first_name: 'Zina' });
    expect(ids(await get('/users?q=zinai', moderator))).toEqual([zina.id]);
    expect(ids(await get('/users?q=%40ZINAIDA_K', moderator))).toEqual([zina.id]);
    expect(ids(await get('/users?q=zinaida%20nobody', moderator))).toEqual([]);
  });

  it('finds users by a Cyrillic first name and by their last name', async () => {
    const sveta = await member('user', { first_name: 'Светлана', last_name: 'Кузнецова' });
    expect(ids(await get(`/users?q=${encodeURIComponent('свет')}`, moderator))).toEqual([sveta.id]);
    expect(ids(await get(`/users?q=${encodeURIComponent('Кузн свет')}`, moderator))).toEqual([
      sveta.id,
    ]);
  });

  it.each([["' OR 1=1--"], ['%'], ['a:* | b'], ['!()&|<->'], ['\\'], ['@'], ['😀 drop table']])(
    'answers 200 without a crash for the hostile search %s',
    async (q) => {
      const response = await get(`/users?q=${encodeURIComponent(q)}`, moderator);
      expect(response.statusCode).toBe(200);
      expect(Array.isArray(response.json().items)).toBe(true);
    },
  );

  it('filters by role and by block state', async () => {
    const name = { last_name: 'Filtrova' };
    const filteredAgent = await member('agent', name);
    const blocked = await member('user', name);
    const active = await member('user', name);
    await t.container.users.setActive(blocked.id, false);
    expect(ids(await get('/users?q=filtrova&role=agent', moderator))).toEqual([filteredAgent.id]);
    expect(ids(await get('/users?q=filtrova&is_active=false', moderator))).toEqual([blocked.id]);
    expect(ids(await get('/users?q=filtrova&is_active=true&role=user', moderator))).toEqual([
      active.id,
    ]);
  });

  it('pages through users with cursors, never repeating one', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push((await member('user', { last_name: 'Paginova' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await get(`/users?q=paginova&limit=2${query}`, moderator)).json<{
        items: { id: string }[];
        next_cursor: string | null;
      }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it('returns only the fields asked for', async () => {
    const response = await get('/users?fields=id,role&limit=3', moderator);
    expect(response.statusCode).toBe(200);
    for (const item of response.json().items) expect(Object.keys(item)).toEqual(['id', 'role']);
  });

  it.each([
    ['limit=-1', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['cursor=!!!', 'query.cursor'],
    ['cursor=eyJ4IjoxfQ', 'query.cursor'],
    ['is_active=yes', 'query.is_active'],
    ['role=boss', 'query.role'],
    ['fields=id,password', 'query.fields'],
    ['sort=name', 'query.sort'],
  ])('answers 422 problem+json for %s', async (query, field) => {
    const response = await get(`/users?${query}`, moderator);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([expect.objectContaining({ field })]);
  });

  it('refuses a cursor of another list', async () => {
    const auditCursor = Buffer.from(
      JSON.stringify({ s: 'activity:-created_at', k: ['2026-01-01T00:00:00.000Z', missing] }),
    ).toString('base64url');
    expect(
      (await get(`/users/${admin.id}/activity?cursor=${auditCursor}`, moderator)).statusCode,
    ).toBe(200);
    expect((await get(`/users?cursor=${auditCursor}`, moderator)).statusCode).toBe(422);
  });
});

describe('GET /users/:id', () => {
  it('shows staff any user and a user themself', async () => {
    const asAgent = await get(`/users/${plain.id}`, agent);
    expect(asAgent.statusCode).toBe(200);
    expect(asAgent.json()).toMatchObject({ id: plain.id, role: 'user', is_active: true });
    expect((await get(`/users/${plain.id}`, plain)).json().id).toBe(plain.id);
  });

  it('answers 404 to a user asking for someone else, and for an unknown user', async () => {
    expect((await get(`/users/${agent.id}`, plain)).statusCode).toBe(404);
    expect((await get(`/users/${missing}`, agent)).statusCode).toBe(404);
  });

  it('answers 422 for a malformed id', async () => {
    const response = await get('/users/not-a-uuid', agent);
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: 'params.id' })]);
  });
});

describe('PUT /users/:id/role', () => {
  it('lets an admin make a user a moderator, effective on their next request', async () => {
    const target = await member('user');
    expect((await get('/users', target)).statusCode).toBe(403);
    const response = await setRole(admin, target, 'moderator');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: target.id, role: 'moderator' });
    expect((await get('/users', target)).statusCode).toBe(200);
  });

  it('refuses anyone changing their own role', async () => {
    const response = await setRole(owner, owner, 'admin');
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('own_role');
    expect((await setRole(admin, admin, 'user')).statusCode).toBe(403);
  });

  it('refuses an admin granting admin or owner', async () => {
    const target = await member('user');
    expect((await setRole(admin, target, 'admin')).json().code).toBe('role_not_grantable');
    expect((await setRole(admin, target, 'owner')).statusCode).toBe(403);
    expect((await get(`/users/${target.id}`, admin)).json().role).toBe('user');
  });

  it('refuses an admin changing the role of an admin or an owner', async () => {
    const other = await member('admin');
    expect((await setRole(admin, other, 'user')).statusCode).toBe(403);
    expect((await setRole(admin, owner, 'user')).statusCode).toBe(403);
  });

  it('refuses moderators and below', async () => {
    const target = await member('user');
    expect((await setRole(moderator, target, 'agent')).statusCode).toBe(403);
    expect((await setRole(agent, target, 'agent')).statusCode).toBe(403);
  });

  it('lets an owner grant admin and owner, and demote another owner', async () => {
    const target = await member('user');
    expect((await setRole(owner, target, 'admin')).json().role).toBe('admin');
    expect((await setRole(owner, target, 'owner')).json().role).toBe('owner');
    expect((await setRole(owner, target, 'user')).json().role).toBe('user');
  });

  it('keeps the last owner: a demoted owner is refused at once, two owners racing leave one', async () => {
    const second = await member('owner');
    expect((await setRole(owner, second, 'admin')).statusCode).toBe(200);
    expect((await setRole(second, owner, 'admin')).statusCode).toBe(403);
    await t.container.users.setRole(second.id, 'owner');
    const race = await Promise.all([
      setRole(owner, second, 'user'),
      setRole(second, owner, 'user'),
    ]);
    const statuses = race.map((response) => response.statusCode).sort((a, b) => a - b);
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    expect((await get('/users?role=owner', moderator)).json().items).toHaveLength(1);
    // Whoever won, the configured owner stays the one owner for the tests below.
    await t.container.users.setRole(owner.id, 'owner');
    await t.container.users.setRole(second.id, 'user');
  });

  it('changes nothing and records nothing when the role is the same', async () => {
    const target = await member('agent');
    const before = (await get(`/users/${target.id}`, admin)).json();
    const response = await setRole(admin, target, 'agent');
    expect(response.statusCode).toBe(200);
    expect(response.json().updated_at).toBe(before.updated_at);
    expect((await get(`/users/${target.id}/activity`, moderator)).json().items).toEqual([]);
  });

  it('answers 404 for an unknown user and 422 for a malformed id or an unknown role', async () => {
    expect((await setRole(admin, { id: missing }, 'agent')).statusCode).toBe(404);
    expect((await setRole(admin, { id: 'nope' }, 'agent')).statusCode).toBe(422);
    const badRole = await setRole(admin, plain, 'superuser');
    expect(badRole.statusCode).toBe(422);
    expect(badRole.json().errors).toEqual([expect.objectContaining({ field: 'role' })]);
  });
});

describe('PUT /users/:id/status', () => {
  it('blocks a user: their next request is 403, and unblocking lets them back', async () => {
    const target = await member('user');
    const blocked = await setActive(moderator, target, false);
    expect(blocked.statusCode).toBe(200);
    expect(blocked.json().is_active).toBe(false);
    const refused = await get('/auth/me', target);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('user_blocked');
    expect((await setActive(moderator, target, true)).json().is_active).toBe(true);
    expect((await get('/auth/me', target)).statusCode).toBe(200);
  });

  it('refuses anyone blocking themself', async () => {
    const response = await setActive(owner, owner, false);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('own_status');
  });

  it('refuses blocking an equal or higher role, except for an owner', async () => {
    const peer = await member('moderator');
    expect((await setActive(moderator, peer, false)).json().code).toBe('target_outranks');
    expect((await setActive(moderator, admin, false)).statusCode).toBe(403);
    expect((await setActive(agent, plain, false)).statusCode).toBe(403);
    const otherOwner = await member('owner');
    expect((await setActive(owner, otherOwner, false)).statusCode).toBe(200);
    expect((await setActive(owner, otherOwner, true)).statusCode).toBe(200);
  });

  it('answers 404 for an unknown user and 422 for a value that is not a boolean', async () => {
    expect((await setActive(moderator, { id: missing }, false)).statusCode).toBe(404);
    const bad = await setActive(moderator, plain, 'false');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'is_active' })]);
    expect((await send('PUT', `/users/${plain.id}/status`, moderator, {})).statusCode).toBe(422);
  });
});

describe('GET /users/:id/activity', () => {
  it('shows role changes and blocks with before and after, newest first', async () => {
    const target = await member('user');
    await setRole(admin, target, 'agent');
    await setActive(moderator, target, false);
    const response = await get(`/users/${target.id}/activity`, moderator);
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toMatchObject([
      {
        action: 'user.blocked',
        actor_id: moderator.id,
        entity_id: target.id,
        before: { is_active: true },
        after: { is_active: false },
      },
      {
        action: 'user.role_changed',
        actor_id: admin.id,
        before: { role: 'user' },
        after: { role: 'agent' },
      },
    ]);
    const byActor = (await get(`/users/${moderator.id}/activity?limit=100`, moderator)).json();
    expect(byActor.items).toContainEqual(expect.objectContaining({ entity_id: target.id }));
  });

  it('pages with a cursor', async () => {
    const first = (await get(`/users/${admin.id}/activity?limit=1`, moderator)).json();
    expect(first.items).toHaveLength(1);
    const second = (
      await get(`/users/${admin.id}/activity?limit=1&cursor=${first.next_cursor}`, moderator)
    ).json();
    expect(second.items[0].id).not.toBe(first.items[0].id);
  });

  it('answers 404 for an unknown user, 403 for agents, 422 for a bad cursor', async () => {
    expect((await get(`/users/${missing}/activity`, moderator)).statusCode).toBe(404);
    expect((await get(`/users/${plain.id}/activity`, agent)).statusCode).toBe(403);
    expect((await get(`/users/${plain.id}/activity?cursor=!!!`, moderator)).statusCode).toBe(422);
  });
});
