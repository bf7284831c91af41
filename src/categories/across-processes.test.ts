import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { callAs, signInAs, type Person } from '../../test/people.js';
import type { CategoryDto } from './schemas.js';

// Two processes of one install sharing a database and Redis: each keeps pages of the category
// list in memory, so a change made through one must reach the other's very next list.
describe.runIf(testRedisUrl !== undefined)('categories in two processes sharing Redis', () => {
  let one: TestApp;
  let two: TestApp;
  let admin: Person;
  let customer: Person;

  beforeAll(async () => {
    const redisPrefix = uniquePrefix();
    one = await createTestApp({ redisPrefix });
    two = await createTestApp({ redisPrefix, database: one.container.database });
    admin = await signInAs(one, 'admin');
    customer = await signInAs(two, 'user');
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  const names = async () =>
    (await callAs(two, customer, 'GET', '/categories'))
      .json<{ items: CategoryDto[] }>()
      .items.map((category) => category.name);

  it('lists a category another process created, renamed or retired at once', async () => {
    expect(await names()).toEqual([]);
    const created = await callAs(one, admin, 'POST', '/categories', { name: 'Billing' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<CategoryDto>();
    expect(await names()).toEqual(['Billing']);

    await callAs(one, admin, 'PUT', `/categories/${id}`, { name: 'Payments' });
    expect(await names()).toEqual(['Payments']);

    await callAs(one, admin, 'DELETE', `/categories/${id}`);
    expect(await names()).toEqual([]);
  });
});
