import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import type { Principal } from '../auth/service.js';
import type { TicketFilters } from './schemas.js';

/**
 * The staff's counts come from `ticket_counts`, kept by a trigger on every ticket change
 * (migration 0009); each must agree with counting the tickets themselves after every kind of
 * change. A filter that does not narrow anything (`created_from` long ago) makes the same
 * counts come from the tickets.
 */
describe('ticket counts kept beside the tickets', () => {
  let t: TestApp;
  let agent: Person;
  let other: Person;
  let customer: Person;
  let first: string;
  let second: string;

  beforeAll(async () => {
    t = await createTestApp();
    agent = await signInAs(t, 'agent');
    other = await signInAs(t, 'admin');
    customer = await signInAs(t, 'user');
    first = await addCategory(t, { name: 'First' });
    second = await addCategory(t, { name: 'Second' });
  });
  afterAll(() => t.close());

  const principal = (person: Person): Principal => ({
    userId: person.id,
    role: person.role,
    sessionId: 'counts',
  });
  const call = (person: Person, method: 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: person.headers, payload });

  /** Every filter the kept counts answer, each beside the same counted from the tickets. */
  async function expectAgreement(): Promise<void> {
    const filters: TicketFilters[] = [
      {},
      { assigned_to: 'me' },
      { assigned_to: 'none' },
      { assigned_to: other.id },
      { category_id: first },
      { category_id: second, priority: ['high', 'critical'] },
      { priority: ['low'] },
    ];
    for (const filter of filters) {
      expect(t.container.tickets.rollupCounts(principal(agent), filter)).toBeDefined();
      const kept = await t.container.tickets.counts(principal(agent), filter);
      const counted = await t.container.tickets.counts(principal(agent), {
        ...filter,
        created_from: '2000-01-01T00:00:00.000Z',
      });
      expect(kept, JSON.stringify(filter)).toEqual(counted);
    }
  }

  it('agree after tickets are opened, moved, reassigned, recategorised and deleted', async () => {
    const tickets = [];
    for (let index = 0; index < 6; index += 1) {
      tickets.push(
        await openTicket(t, customer, index % 2 ? first : second, {
          priority: ['low', 'normal', 'high', 'critical'][index % 4] ?? 'normal',
        }),
      );
    }
    await expectAgreement();
    expect((await t.container.tickets.counts(principal(agent), {})).open).toBe(6);

    const [a, b, c, d] = tickets;
    expect(
      (await call(agent, 'PUT', `/tickets/${a?.id}/assign`, { assigned_to: agent.id })).statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${b?.id}/assign`, { assigned_to: other.id })).statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${b?.id}/status`, { status: 'resolved' })).statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${c?.id}/status`, { status: 'waiting' })).statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${c?.id}/status`, { status: 'open' })).statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${d?.id}`, { category_id: first, priority: 'low' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call(agent, 'PUT', `/tickets/${a?.id}/assign`, { assigned_to: null })).statusCode,
    ).toBe(200);
    expect((await call(other, 'DELETE', `/tickets/${tickets[5]?.id}`)).statusCode).toBe(204);
    await expectAgreement();
    expect(
      await t.container.tickets.counts(principal(agent), { assigned_to: other.id }),
    ).toMatchObject({
      resolved: 1,
      total: 1,
    });
    expect((await t.container.tickets.counts(principal(agent), {})).total).toBe(5);
  });

  it('answers customers and searches by counting their tickets', () => {
    expect(t.container.tickets.rollupCounts(principal(customer), {})).toBeUndefined();
    expect(t.container.tickets.rollupCounts(principal(agent), { q: 'printer' })).toBeUndefined();
    expect(
      t.container.tickets.rollupCounts(principal(agent), { user_id: customer.id }),
    ).toBeUndefined();
  });
});
