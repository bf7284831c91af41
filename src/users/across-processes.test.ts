import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { addCategory, callAs, newTicketNoticeOf, openTicket, signInAs } from '../../test/people.js';

// Two processes of one install: a change made through one reaches the other's next ticket.
describe.runIf(testRedisUrl !== undefined)('the staff kept in memory in two processes', () => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    const redisPrefix = uniquePrefix();
    one = await createTestApp({ redisPrefix });
    two = await createTestApp({ redisPrefix, database: one.container.database });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('stops telling an agent demoted in the other process', async () => {
    const owner = await signInAs(one, 'owner');
    const agent = await signInAs(one, 'agent');
    const customer = await signInAs(two, 'user');
    const category = await addCategory(two);
    const first = await openTicket(two, customer, category);
    expect(await newTicketNoticeOf(two, agent, first.id)).toBeDefined();

    const demoted = await callAs(one, owner, 'PUT', `/users/${agent.id}/role`, { role: 'user' });
    expect(demoted.statusCode).toBe(200);
    await expect
      .poll(async () =>
        newTicketNoticeOf(two, agent, (await openTicket(two, customer, category)).id),
      )
      .toBeUndefined();
  });
});
