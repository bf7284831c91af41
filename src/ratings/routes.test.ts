import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, type Person } from '../../test/people.js';
import { notifications } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { Problem } from '../http/problem.js';
import type { RatingDto, TicketRatingDto } from './schemas.js';

const hour = 3_600_000;

describe('POST /tickets/:id/rating', () => {
  let t: TestApp;
  let clock: ManualClock;
  let category: string;
  const events: DomainEvent[] = [];

  beforeAll(async () => {
    clock = manualClock('2026-03-02T09:00:00.000Z');
    t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '100000' } });
    category = await addCategory(t);
    await t.container.events.subscribe((event) => events.push(event));
  });
  afterAll(() => t.close());

  let telegramId = 7_100_000;
  const telegramIds = new Map<string, number>();

  /** Signs a Telegram user in (a new one unless `id` is given) with `role`, at the clock's now. */
  async function signInAs(role: Person['role'], given?: number): Promise<Person> {
    telegramId += 1;
    const id = given ?? telegramId;
    const pair = await signIn(t, { id, first_name: 'Test', language_code: 'en' });
    if (role !== 'user') await t.container.users.setRole(pair.user.id, role);
    telegramIds.set(pair.user.id, id);
    return { id: pair.user.id, role, token: pair.access_token, headers: bearer(pair.access_token) };
  }

  /** The same person signed in again: tokens expire as the clock moves on. */
  const again = (person: Person) => signInAs(person.role, telegramIds.get(person.id));

  /** People signed in now. */
  async function cast() {
    return {
      customer: await signInAs('user'),
      agent: await signInAs('agent'),
      admin: await signInAs('admin'),
    };
  }

  async function setStatus(person: Person, id: string, status: string) {
    const response = await callAs(t, person, 'PUT', `/tickets/${id}/status`, { status });
    expect(response.statusCode).toBe(200);
  }

  /** A ticket of `customer`, assigned to `agent` and resolved by them. */
  async function resolvedTicket(customer: Person, agent: Person) {
    const ticket = await openTicket(t, customer, category);
    const assigned = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/assign`, {
      assigned_to: agent.id,
    });
    expect(assigned.statusCode).toBe(200);
    await setStatus(agent, ticket.id, 'resolved');
    return ticket;
  }

  const rate = (person: Person, id: string, body: object) =>
    callAs(t, person, 'POST', `/tickets/${id}/rating`, body);

  async function ratingOf(person: Person, id: string): Promise<TicketRatingDto> {
    const response = await callAs(t, person, 'GET', `/tickets/${id}/rating`);
    expect(response.statusCode).toBe(200);
    return response.json<TicketRatingDto>();
  }

  /** The staff-only notices about `ticketId` written to `userId` (a rating's are). */
  function noticesOf(userId: string, ticketId: string) {
    return t.container.database.db
      .select({
        type: notifications.type,
        title: notifications.title,
        content: notifications.content,
        internal: notifications.internal,
      })
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, userId),
          eq(notifications.ticketId, ticketId),
          eq(notifications.internal, true),
        ),
      )
      .orderBy(notifications.createdAt);
  }

  it('lets the customer rate a resolved ticket, which both they and staff then see', async () => {
    const { customer, agent } = await cast();
    const ticket = await resolvedTicket(customer, agent);
    expect(await ratingOf(customer, ticket.id)).toEqual({ rating: null, can_rate: true });

    const response = await rate(customer, ticket.id, { score: 4, comment: 'Quick and kind' });
    expect(response.statusCode).toBe(200);
    const rating = response.json<RatingDto>();
    expect(rating).toMatchObject({ ticket_id: ticket.id, score: 4, comment: 'Quick and kind' });
    expect(rating.changeable_until).toBe(new Date(clock.now().getTime() + 24 * hour).toISOString());

    expect(await ratingOf(customer, ticket.id)).toEqual({ rating, can_rate: true });
    expect(await ratingOf(agent, ticket.id)).toEqual({ rating, can_rate: false });
    await expect
      .poll(() => events.find((e) => e.type === 'rating.saved' && e.ticket_id === ticket.id))
      .toMatchObject({ ticket_user_id: customer.id, is_internal: false, data: { score: 4 } });
  });

  it('changes the rating within a day of first giving it, and refuses it after (409)', async () => {
    const { customer, agent } = await cast();
    const ticket = await resolvedTicket(customer, agent);
    expect((await rate(customer, ticket.id, { score: 2, comment: 'Slow' })).statusCode).toBe(200);

    clock.advance(23 * hour);
    const customerLater = await again(customer);
    const changed = await rate(customerLater, ticket.id, { score: 5 });
    expect(changed.statusCode).toBe(200);
    // An omitted comment stays; the rating still counts its day from when it was first given.
    expect(changed.json<RatingDto>()).toMatchObject({ score: 5, comment: 'Slow' });
    const cleared = await rate(customerLater, ticket.id, { score: 5, comment: null });
    expect(cleared.json<RatingDto>().comment).toBeNull();

    clock.advance(hour);
    const customerNextDay = await again(customer);
    const refused = await rate(customerNextDay, ticket.id, { score: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json<Problem>().code).toBe('rating_final');
    expect(await ratingOf(customerNextDay, ticket.id)).toMatchObject({
      rating: { score: 5 },
      can_rate: false,
    });
  });

  it('asks for a new rating after the ticket is reopened and resolved again', async () => {
    const { customer, agent } = await cast();
    const ticket = await resolvedTicket(customer, agent);
    expect((await rate(customer, ticket.id, { score: 1 })).statusCode).toBe(200);
    const reply = await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'It broke again',
    });
    expect(reply.statusCode).toBe(201);
    expect(await ratingOf(customer, ticket.id)).toEqual({ rating: null, can_rate: false });
    expect((await rate(customer, ticket.id, { score: 3 })).json<Problem>().code).toBe(
      'not_resolved',
    );

    await setStatus(agent, ticket.id, 'resolved');
    expect(await ratingOf(customer, ticket.id)).toEqual({ rating: null, can_rate: true });
    const second = await rate(customer, ticket.id, { score: 5 });
    expect(second.statusCode).toBe(200);
    expect(second.json<RatingDto>().score).toBe(5);
  });

  it('takes a rating of a ticket closed after it was resolved, not of one closed unresolved', async () => {
    const { customer, agent } = await cast();
    const resolvedThenClosed = await resolvedTicket(customer, agent);
    await setStatus(customer, resolvedThenClosed.id, 'closed');
    expect((await rate(customer, resolvedThenClosed.id, { score: 4 })).statusCode).toBe(200);

    const closedUnresolved = await openTicket(t, customer, category);
    await setStatus(customer, closedUnresolved.id, 'closed');
    const refused = await rate(customer, closedUnresolved.id, { score: 4 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<Problem>().code).toBe('not_resolved');
  });

  it('refuses what is not the customer’s to rate or not a rating', async () => {
    const { customer, agent, admin } = await cast();
    const stranger = await signInAs('user');
    const ticket = await resolvedTicket(customer, agent);
    const open = await openTicket(t, customer, category);

    const cases: [Person, string, object, number, string][] = [
      [stranger, ticket.id, { score: 5 }, 404, 'not_found'],
      [agent, ticket.id, { score: 5 }, 403, 'not_the_customer'],
      [admin, ticket.id, { score: 1 }, 403, 'not_the_customer'],
      [customer, open.id, { score: 5 }, 409, 'not_resolved'],
      [customer, ticket.id, { score: 0 }, 422, 'invalid'],
      [customer, ticket.id, { score: 6 }, 422, 'invalid'],
      [customer, ticket.id, { score: 4.5 }, 422, 'invalid'],
      [customer, ticket.id, { score: '5' }, 422, 'invalid'],
      [customer, ticket.id, { comment: 'no score' }, 422, 'invalid'],
      [customer, ticket.id, { score: 5, comment: 'x'.repeat(1001) }, 422, 'invalid'],
      [customer, ticket.id, { score: 5, extra: true }, 422, 'invalid'],
      [customer, 'not-a-uuid', { score: 5 }, 422, 'invalid'],
    ];
    for (const [person, id, body, status, code] of cases) {
      const response = await rate(person, id, body);
      expect({ body, status: response.statusCode }).toEqual({ body, status });
      expect(response.json<Problem>().code).toBe(code);
    }
    const unrated = await callAs(t, stranger, 'GET', `/tickets/${ticket.id}/rating`);
    expect(unrated.statusCode).toBe(404);
    expect(await ratingOf(customer, ticket.id)).toEqual({ rating: null, can_rate: true });
  });

  it('keeps a comment as plain text, up to 1000 characters', async () => {
    const { customer, agent } = await cast();
    const ticket = await resolvedTicket(customer, agent);
    const rated = await rate(customer, ticket.id, {
      score: 5,
      comment: `  <b>Great</b> <script>alert(1)</script>${'y'.repeat(950)}  `,
    });
    expect(rated.statusCode).toBe(200);
    expect(rated.json<RatingDto>().comment).toBe(`Great ${'y'.repeat(950)}`);
    const blank = await rate(customer, ticket.id, { score: 5, comment: '<i></i>' });
    expect(blank.json<RatingDto>().comment).toBeNull();
  });

  it('tells the assignee of each new or changed rating, and admins of a low one', async () => {
    const { customer, agent, admin } = await cast();
    const ticket = await resolvedTicket(customer, agent);
    await rate(customer, ticket.id, { score: 4, comment: 'Fine' });
    let toAgent = await noticesOf(agent.id, ticket.id);
    expect(toAgent).toEqual([
      {
        type: 'status_changed',
        title: `Ticket #${ticket.number} rated 4/5`,
        content: '«Printer does not print»: ★★★★☆ 4/5\nComment: Fine',
        internal: true,
      },
    ]);
    expect(await noticesOf(admin.id, ticket.id)).toEqual([]);

    // The same rating saved again is no event: nobody is told twice.
    await rate(customer, ticket.id, { score: 4 });
    expect(await noticesOf(agent.id, ticket.id)).toHaveLength(1);

    await rate(customer, ticket.id, { score: 2 });
    toAgent = await noticesOf(agent.id, ticket.id);
    expect(toAgent.map((notice) => notice.title)).toEqual([
      `Ticket #${ticket.number} rated 4/5`,
      `Ticket #${ticket.number} rated 2/5`,
    ]);
    expect(await noticesOf(admin.id, ticket.id)).toEqual([
      {
        type: 'system',
        title: `Low rating: ticket #${ticket.number}, 2/5`,
        content: '«Printer does not print»: ★★☆☆☆ 2/5\nComment: Fine',
        internal: true,
      },
    ]);
    expect(await noticesOf(customer.id, ticket.id)).toEqual([]);
  });
});
