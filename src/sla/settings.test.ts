import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { callAs, signInEveryRole, type Person } from '../../test/people.js';
import type { UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { SettingsDto } from '../settings/schemas.js';

const targets = {
  low: { first_response: 480, resolution: 4320 },
  normal: { first_response: 240, resolution: null },
  high: { first_response: null, resolution: null },
  critical: { first_response: 10, resolution: 120 },
};

describe('PUT /settings: the sla group', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    people = await signInEveryRole(t);
  });
  afterAll(() => t.close());

  const put = (body: object, person = people.admin) => callAs(t, person, 'PUT', '/settings', body);

  it('saves targets per priority, null meaning no target, and answers them', async () => {
    const response = await put({ sla: targets });
    expect(response.statusCode).toBe(200);
    expect(response.json<SettingsDto>().sla).toEqual(targets);
    const read = await callAs(t, people.owner, 'GET', '/settings');
    expect(read.json<SettingsDto>().sla).toEqual(targets);
  });

  it.each(['user', 'agent', 'moderator'] as const)('refuses a %s (403)', async (role) => {
    const response = await put({ sla: targets }, people[role]);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it.each([
    ['a missing priority', { sla: { ...targets, critical: undefined } }, 'sla.critical'],
    [
      'zero minutes',
      { sla: { ...targets, low: { first_response: 0, resolution: 60 } } },
      'sla.low.first_response',
    ],
    [
      'a fraction of a minute',
      { sla: { ...targets, low: { first_response: 1.5, resolution: 60 } } },
      'sla.low.first_response',
    ],
    [
      'more than a year',
      { sla: { ...targets, low: { first_response: 60, resolution: 600_000 } } },
      'sla.low.resolution',
    ],
    [
      'a resolution sooner than the first response',
      { sla: { ...targets, high: { first_response: 120, resolution: 60 } } },
      'sla.high.resolution',
    ],
    [
      'minutes as a string',
      { sla: { ...targets, high: { first_response: '60', resolution: null } } },
      'sla.high.first_response',
    ],
    [
      'an unknown priority',
      { sla: { ...targets, urgent: { first_response: 1, resolution: 2 } } },
      'sla.urgent',
    ],
    [
      'an unknown target',
      { sla: { ...targets, low: { first_response: 1, resolution: 2, next: 3 } } },
      'sla.low.next',
    ],
  ])('refuses %s (422) and keeps what was saved', async (_name, body, field) => {
    const response = await put(body);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<Problem>().errors?.map((error) => error.field)).toContain(field);
    const read = await callAs(t, people.admin, 'GET', '/settings');
    expect(read.json<SettingsDto>().sla).toEqual(targets);
  });
});
