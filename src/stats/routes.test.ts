import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, signInEveryRole, type Person } from '../../test/people.js';
import type { UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { StatsBreakdown, StatsHeatmap, StatsOverview, StatsTimeseries } from './schemas.js';

const endpoints = ['overview', 'timeseries', 'breakdown?by=priority', 'heatmap', 'staff'];

describe('GET /stats/*', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;

  beforeAll(async () => {
    t = await createTestApp({
      clock: manualClock('2026-03-02T09:00:00.000Z'),
      env: { RATE_LIMIT_MAX: '100000' },
    });
    people = await signInEveryRole(t);
  });
  afterAll(() => t.close());

  const get = (person: Person, url: string) => callAs(t, person, 'GET', `/stats/${url}`);

  it.each(endpoints)(
    'answers moderators and above at %s, refuses agents and customers',
    async (url) => {
      for (const role of ['moderator', 'admin', 'owner'] as const) {
        expect((await get(people[role], url)).statusCode).toBe(200);
      }
      for (const role of ['user', 'agent'] as const) {
        const response = await get(people[role], url);
        expect(response.statusCode).toBe(403);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    },
  );

  it('defaults to the 7 days before now on the support team’s clock', async () => {
    const body = (await get(people.moderator, 'overview')).json<StatsOverview>();
    expect(body.from).toBe('2026-02-23T09:00:00.000Z');
    expect(body.to).toBe('2026-03-02T09:00:00.000Z');
    expect(body.previous.from).toBe('2026-02-16T09:00:00.000Z');
    expect(body.previous.to).toBe('2026-02-23T09:00:00.000Z');
    expect(body.time_zone).toBeTruthy();
  });

  it('answers all 168 heatmap cells and one point per day', async () => {
    const heatmap = (await get(people.moderator, 'heatmap')).json<StatsHeatmap>();
    expect(heatmap.cells).toHaveLength(168);
    const series = (
      await get(people.moderator, 'timeseries?from=2026-02-01T00:00:00Z&to=2026-02-03T00:00:00Z')
    ).json<StatsTimeseries>();
    expect(series.bucket).toBe('day');
    expect(series.points.length).toBeGreaterThanOrEqual(2);
  });

  const rejections: [string, string, number, string?][] = [
    ['from ≥ to', 'overview?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z', 422, 'to'],
    ['from = to', 'overview?from=2026-02-02T00:00:00Z&to=2026-02-02T00:00:00Z', 422, 'to'],
    [
      'longer than 731 days',
      'overview?from=2023-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      422,
      'from',
    ],
    ['a date without a time', 'overview?from=2026-02-01', 422, 'from'],
    ['a time without an offset', 'overview?from=2026-02-01T00:00:00', 422, 'from'],
    ['not a date', 'heatmap?to=yesterday', 422, 'to'],
    ['a year PostgreSQL cannot hold', 'staff?from=0000-01-01T00:00:00Z', 422, 'from'],
    [
      'hour buckets over 31 days',
      'timeseries?bucket=hour&from=2026-01-01T00:00:00Z&to=2026-02-02T00:00:00Z',
      422,
      'bucket',
    ],
    [
      'day buckets over 400 days',
      'timeseries?bucket=day&from=2024-06-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      422,
      'bucket',
    ],
    ['an unknown bucket', 'timeseries?bucket=month', 422, 'bucket'],
    ['a breakdown without by', 'breakdown', 422, 'by'],
    ['an unknown by', 'breakdown?by=weather', 422, 'by'],
    ['a bad category id', 'overview?category_id=42', 422, 'category_id'],
    ['a bad assignee', 'overview?assigned_to=me', 422, 'assigned_to'],
    ['an unknown priority', 'staff?priority=urgent', 422, 'priority'],
    ['an unknown parameter', 'overview?period=week', 422],
  ];

  it.each(rejections)('refuses %s', async (_name, url, status, field) => {
    const response = await get(people.admin, url);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) {
      const problem = response.json<Problem>();
      expect(problem.errors?.map((error) => error.field)).toContain(`query.${field}`);
    }
  });

  it('counts a ticket opened from the Mini App (X-Client: mini-app) apart from other clients', async () => {
    const category = await addCategory(t);
    const open = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { ...people.user.headers, ...headers },
        payload: { category_id: category, title: 'Printer', description: 'Jammed.' },
      });
    expect((await open({ 'x-client': 'mini-app' })).statusCode).toBe(201);
    expect((await open({})).statusCode).toBe(201);
    expect((await open({ 'x-client': 'curl' })).statusCode).toBe(201);
    const response = await get(
      people.moderator,
      `breakdown?by=channel&category_id=${category}&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z`,
    );
    const rows = response.json<StatsBreakdown>().rows;
    expect(rows.map((row) => [row.key, row.created])).toEqual([
      ['telegram', 0],
      ['mini_app', 1],
      ['api', 2],
    ]);
  });

  it('takes week buckets over any period up to two years', async () => {
    const response = await get(
      people.admin,
      'timeseries?bucket=week&from=2024-06-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(response.statusCode).toBe(200);
  });
});
