import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { signInAs, type Person } from '../../test/people.js';

let t: TestApp;
const clock = manualClock('2026-03-01T12:00:00Z');
const day = 86_400_000;
let moderator: Person;
let agent: Person;
let oldCustomer: Person;
let recentCustomer: Person;
let staffer: Person;

const get = (url: string, who: Person) =>
  t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: who.headers });
const ids = async (url: string, who: Person = moderator) => {
  const response = await get(url, who);
  expect(response.statusCode, url).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
};

beforeAll(async () => {
  t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '10000' } });
  // Seen on 1 March, 11 March and 21 March; everyone else signs in on 21 March.
  oldCustomer = await signInAs(t, 'user', { last_name: 'Seenova' });
  clock.advance(10 * day);
  staffer = await signInAs(t, 'agent', { last_name: 'Seenova' });
  clock.advance(10 * day);
  recentCustomer = await signInAs(t, 'user', { last_name: 'Seenova' });
  moderator = await signInAs(t, 'moderator');
  agent = await signInAs(t, 'agent');
});
afterAll(() => t.close());

describe('GET /users filters', () => {
  it('lists staff or customers only with kind', async () => {
    expect(await ids('/users?q=seenova&kind=staff')).toEqual([staffer.id]);
    expect(await ids('/users?q=seenova&kind=customers')).toEqual([
      recentCustomer.id,
      oldCustomer.id,
    ]);
  });

  it('lets an agent list active staff with kind=staff instead of a role', async () => {
    const colleagues = await ids('/users?kind=staff&is_active=true&limit=100', agent);
    expect(colleagues).toEqual(expect.arrayContaining([agent.id, staffer.id, moderator.id]));
    expect(colleagues).not.toContain(oldCustomer.id);
    expect((await get('/users?kind=customers&is_active=true', agent)).statusCode).toBe(403);
    expect((await get('/users?kind=staff', agent)).statusCode).toBe(403);
  });

  it('filters by when users were last seen, after inclusive and before exclusive', async () => {
    expect(await ids('/users?q=seenova&last_seen_after=2026-03-11T12:00:00Z')).toEqual([
      recentCustomer.id,
      staffer.id,
    ]);
    expect(await ids('/users?q=seenova&last_seen_before=2026-03-11T12:00:00Z')).toEqual([
      oldCustomer.id,
    ]);
    expect(
      await ids(
        '/users?q=seenova&last_seen_after=2026-03-05T00:00:00%2B03:00&last_seen_before=2026-03-20T00:00:00Z',
      ),
    ).toEqual([staffer.id]);
  });

  it('shows when each user was last seen', async () => {
    const response = await get(`/users/${oldCustomer.id}`, moderator);
    expect(response.json()).toMatchObject({
      last_seen_at: '2026-03-01T12:00:00.000Z',
      avatar_url: null,
    });
  });

  it('finds a user by their exact Telegram id, and still by digits in names', async () => {
    const me = (await get(`/users/${staffer.id}`, moderator)).json<{ telegram_id: number }>();
    expect(await ids(`/users?q=${me.telegram_id}`)).toEqual([staffer.id]);
    // A prefix of the id is no match: ids are matched exactly.
    expect(await ids(`/users?q=${String(me.telegram_id).slice(0, 3)}`)).toEqual([]);
    const numbered = await signInAs(t, 'user', { first_name: 'R2D2', username: 'droid2026' });
    expect(await ids('/users?q=2026')).toEqual([]);
    expect(await ids('/users?q=droid2026')).toEqual([numbered.id]);
    // Past what a Telegram id can be: a name search only, never a 500.
    expect(await ids('/users?q=99999999999999999999')).toEqual([]);
  });

  it.each([
    ['kind=everyone', 'query.kind'],
    ['last_seen_after=yesterday', 'query.last_seen_after'],
    ['last_seen_before=2026-13-01T00:00:00Z', 'query.last_seen_before'],
    ['last_seen_after=2026-03-01', 'query.last_seen_after'],
    [
      'last_seen_after=2026-03-02T00:00:00Z&last_seen_before=2026-03-01T00:00:00Z',
      'query.last_seen_before',
    ],
  ])('answers 422 problem+json for %s', async (query, field) => {
    const response = await get(`/users?${query}`, moderator);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([expect.objectContaining({ field })]);
  });
});
