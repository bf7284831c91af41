import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import {
  addCategory,
  callAs,
  openTicket,
  signInEveryRole,
  type Person,
} from '../../test/people.js';
import { auditLog, type UserRole } from '../db/schema.js';
import type { CategoryDto } from './schemas.js';

let t: TestApp;
let people: Record<UserRole, Person>;
let billing: string;
let delivery: string;
let retired: string;

const listAs = async (person: Person) => {
  const response = await callAs(t, person, 'GET', '/categories?limit=100&include_inactive=true');
  expect(response.statusCode).toBe(200);
  return response.json<{ items: CategoryDto[] }>().items;
};
const reorder = (person: Person, ids: unknown) =>
  callAs(t, person, 'PUT', '/categories/order', { ids });

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX: '10000' } });
  people = await signInEveryRole(t);
  billing = await addCategory(t, { name: 'Billing' });
  delivery = await addCategory(t, { name: 'Delivery' });
  retired = await addCategory(t, { name: 'Retired', isActive: false });
  const first = await openTicket(t, people.user, billing);
  await openTicket(t, people.user, billing);
  const third = await openTicket(t, people.user, billing);
  await openTicket(t, people.user, delivery);
  const status = (id: string, value: string) =>
    callAs(t, people.agent, 'PUT', `/tickets/${id}/status`, { status: value });
  expect((await status(first.id, 'waiting')).statusCode).toBe(200);
  expect((await status(third.id, 'resolved')).statusCode).toBe(200);
});
afterAll(() => t.close());

describe('GET /categories open_count', () => {
  it('counts open, in-progress and waiting tickets of each category for staff', async () => {
    const items = await listAs(people.agent);
    const counts = Object.fromEntries(items.map((item) => [item.name, item.open_count]));
    expect(counts).toEqual({ Billing: 2, Delivery: 1, Retired: 0 });
  });

  it('is left out for customers', async () => {
    const response = await callAs(t, people.user, 'GET', '/categories');
    const items = response.json<{ items: CategoryDto[] }>().items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item).not.toHaveProperty('open_count');
  });
});

describe('PUT /categories/order', () => {
  it('puts every category in the given order, answers the list, and audits each move', async () => {
    const response = await reorder(people.admin, [retired, delivery, billing]);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ items: CategoryDto[]; next_cursor: null }>();
    expect(body.items.map((item) => [item.name, item.sort_order, item.open_count])).toEqual([
      ['Retired', 0, 0],
      ['Delivery', 1, 1],
      ['Billing', 2, 2],
    ]);
    expect(body.next_cursor).toBeNull();
    expect((await listAs(people.agent)).map((item) => item.id)).toEqual([
      retired,
      delivery,
      billing,
    ]);
    const entries = await t.container.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'category.reordered'), eq(auditLog.entityId, billing)))
      .orderBy(asc(auditLog.createdAt));
    expect(entries).toMatchObject([
      { actorId: people.admin.id, before: { sort_order: 0 }, after: { sort_order: 2 } },
    ]);
  });

  it('changes and records nothing when the order is the same', async () => {
    const before = await t.container.database.db.select().from(auditLog);
    const response = await reorder(people.admin, [retired, delivery, billing]);
    expect(response.statusCode).toBe(200);
    expect(await t.container.database.db.select().from(auditLog)).toHaveLength(before.length);
  });

  it('refuses moderators, agents and customers (403)', async () => {
    for (const role of ['moderator', 'agent', 'user'] as const) {
      expect((await reorder(people[role], [billing, delivery, retired])).statusCode, role).toBe(
        403,
      );
    }
  });

  it.each([
    ['a category left out', () => [billing, delivery], 'leaves out'],
    ['a category twice', () => [billing, delivery, retired, billing], 'twice'],
    [
      'an unknown category',
      () => [billing, delivery, retired, '01a20d14-0000-7000-8000-000000000000'],
      'unknown',
    ],
  ])('answers 422 for %s, changing nothing', async (_, ids, words) => {
    const response = await reorder(people.owner, ids());
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: 'ids', message: expect.stringContaining(words) }),
    ]);
    expect((await listAs(people.agent)).map((item) => item.id)).toEqual([
      retired,
      delivery,
      billing,
    ]);
  });

  it.each([
    ['no ids', []],
    ['ids that are not uuids', ['billing']],
    ['no list', 'billing'],
  ])('answers 422 for %s', async (_, ids) => {
    const response = await reorder(people.admin, ids);
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: expect.stringMatching(/^ids/) }),
    ]);
  });
});
