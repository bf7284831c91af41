import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import type { UserRole } from '../db/schema.js';
import type { TicketDto } from '../tickets/schemas.js';

/**
 * The SLA of a ticket through its life, with the default targets (normal 4 h / 24 h, high
 * 1 h / 8 h, low 8 h / 72 h, critical 15 min / 4 h) and support hours (UTC, Monday to Friday,
 * 09:00–18:00). The clock only moves forward, so the cases run in order of time.
 */
describe('SLA of a ticket as it changes', () => {
  let t: TestApp;
  let clock: ManualClock;
  let category: string;

  beforeAll(async () => {
    // Friday 2026-03-06, 17:00 UTC: one support hour left this week.
    clock = manualClock('2026-03-06T17:00:00.000Z');
    t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '100000' } });
    category = await addCategory(t);
  });
  afterAll(() => t.close());

  function moveTo(iso: string) {
    const ms = new Date(iso).getTime() - clock.now().getTime();
    if (ms < 0) throw new Error(`the clock cannot go back to ${iso}`);
    clock.advance(ms);
  }

  let telegramIds = 7_100_000;

  /** A new customer and agent, and how to sign them in again once the clock has moved on. */
  async function cast() {
    const customerId = (telegramIds += 1);
    const agentId = (telegramIds += 1);
    const as = async (id: number, role: UserRole): Promise<Person> => {
      const pair = await signIn(t, { id, first_name: 'Test', language_code: 'en' });
      if (role !== 'user') await t.container.users.setRole(pair.user.id, role);
      return {
        id: pair.user.id,
        role,
        token: pair.access_token,
        headers: bearer(pair.access_token),
      };
    };
    const people = { customer: await as(customerId, 'user'), agent: await as(agentId, 'agent') };
    return {
      ...people,
      /** Signs both in again (tokens minted by the moved clock expire as it moves on). */
      async refresh() {
        Object.assign(people, {
          customer: await as(customerId, 'user'),
          agent: await as(agentId, 'agent'),
        });
        return people;
      },
    };
  }

  async function read(person: Person, id: string): Promise<TicketDto> {
    const response = await callAs(t, person, 'GET', `/tickets/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json<TicketDto>();
  }

  async function setStatus(person: Person, id: string, status: string): Promise<TicketDto> {
    const response = await callAs(t, person, 'PUT', `/tickets/${id}/status`, { status });
    expect(response.statusCode).toBe(200);
    return response.json<TicketDto>();
  }

  async function write(person: Person, id: string, content: string): Promise<void> {
    const response = await callAs(t, person, 'POST', `/tickets/${id}/messages`, { content });
    expect(response.statusCode).toBe(201);
  }

  it('counts a ticket opened on Friday evening into Monday, and shows it to staff only', async () => {
    const { customer, agent } = await cast();
    const ticket = await openTicket(t, customer, category);
    const seen = await read(agent, ticket.id);
    expect(seen.sla).toEqual({
      state: 'ok',
      // 4 support hours: 1 on Friday, 3 on Monday.
      first_response_due_at: '2026-03-09T12:00:00.000Z',
      first_response_warn_at: '2026-03-09T11:12:00.000Z',
      // 24 support hours: Friday 1, Monday 9, Tuesday 9, Wednesday 5.
      resolution_due_at: '2026-03-11T14:00:00.000Z',
      // 80 %: 19.2 support hours, Friday 1, Monday 9, Tuesday 9, Wednesday 0.2.
      resolution_warn_at: '2026-03-11T09:12:00.000Z',
      responded_at: null,
      paused_at: null,
      next_due_at: '2026-03-09T12:00:00.000Z',
      next_warn_at: '2026-03-09T11:12:00.000Z',
    });
    // Service levels are staff business.
    expect((await read(customer, ticket.id)).sla).toBeNull();
    const own = await callAs(t, customer, 'GET', '/tickets');
    expect(own.json<{ items: TicketDto[] }>().items.every((item) => item.sla === null)).toBe(true);
  });

  it('refuses a customer filtering or sorting by service levels (403)', async () => {
    const { customer } = await cast();
    for (const query of ['sla_state=ok', 'sort=due_at', 'sort=-due_at']) {
      const response = await callAs(t, customer, 'GET', `/tickets?${query}`);
      expect(response.statusCode, query).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('refuses an SLA state or sort that does not exist (422)', async () => {
    const { agent } = await cast();
    for (const query of ['sla_state=late', 'sort=due', 'sla_state=ok,nope']) {
      const response = await callAs(t, agent, 'GET', `/tickets?${query}`);
      expect(response.statusCode, query).toBe(422);
    }
  });

  it('recounts the targets of a new priority from the ticket’s opening', async () => {
    const people = await cast();
    const ticket = await openTicket(t, people.customer, category); // Friday 17:00
    moveTo('2026-03-06T17:30:00.000Z');
    const { agent } = await people.refresh();
    const changed = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}`, { priority: 'low' });
    expect(changed.statusCode).toBe(200);
    // Low: 8 h from Friday 17:00 is Monday 16:00.
    expect(changed.json<TicketDto>().sla).toMatchObject({
      state: 'ok',
      first_response_due_at: '2026-03-09T16:00:00.000Z',
    });
    const critical = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}`, {
      priority: 'critical',
    });
    // Critical: 15 minutes from Friday 17:00 passed at 17:15.
    expect(critical.json<TicketDto>().sla).toMatchObject({
      state: 'breached',
      first_response_due_at: '2026-03-06T17:15:00.000Z',
      resolution_due_at: '2026-03-09T12:00:00.000Z',
    });
  });

  it('meets the first response with a staff answer, pauses while waiting, moves the due time by the pause', async () => {
    moveTo('2026-03-09T09:00:00.000Z'); // Monday
    const people = await cast();
    const ticket = await openTicket(t, people.customer, category, { priority: 'high' });
    moveTo('2026-03-09T09:30:00.000Z');
    let { agent } = await people.refresh();
    await write(agent, ticket.id, 'Could you send a photo of the error?');
    const answered = (await read(agent, ticket.id)).sla;
    expect(answered).toMatchObject({
      state: 'ok',
      responded_at: '2026-03-09T09:30:00.000Z',
      resolution_due_at: '2026-03-09T17:00:00.000Z',
      next_due_at: '2026-03-09T17:00:00.000Z',
    });

    moveTo('2026-03-09T10:00:00.000Z');
    ({ agent } = await people.refresh());
    const waiting = (await setStatus(agent, ticket.id, 'waiting')).sla;
    expect(waiting).toMatchObject({
      state: 'paused',
      paused_at: '2026-03-09T10:00:00.000Z',
      next_due_at: null,
      next_warn_at: null,
    });

    // Tuesday 10:00: paused for 9 support hours (Monday 10–18, Tuesday 9–10).
    moveTo('2026-03-10T10:00:00.000Z');
    const { customer } = await people.refresh();
    ({ agent } = await people.refresh());
    await write(customer, ticket.id, 'Here it is.');
    const resumed = await read(agent, ticket.id);
    expect(resumed.status).toBe('open');
    expect(resumed.sla).toMatchObject({
      state: 'ok',
      paused_at: null,
      resolution_due_at: '2026-03-10T17:00:00.000Z',
    });

    moveTo('2026-03-10T11:00:00.000Z');
    ({ agent } = await people.refresh());
    expect((await setStatus(agent, ticket.id, 'resolved')).sla).toMatchObject({
      state: 'met',
      next_due_at: null,
    });
  });

  it('starts a new cycle when the customer reopens a resolved ticket', async () => {
    moveTo('2026-03-10T11:00:00.000Z');
    const people = await cast();
    const ticket = await openTicket(t, people.customer, category, { priority: 'high' });
    await setStatus(people.agent, ticket.id, 'resolved');
    moveTo('2026-03-10T12:00:00.000Z');
    const { customer, agent } = await people.refresh();
    await write(customer, ticket.id, 'It broke again.');
    const reopened = await read(agent, ticket.id);
    expect(reopened.status).toBe('open');
    expect(reopened.sla).toMatchObject({
      state: 'ok',
      responded_at: null,
      first_response_due_at: '2026-03-10T13:00:00.000Z',
      // 8 support hours from Tuesday 12:00: 6 on Tuesday, 2 on Wednesday.
      resolution_due_at: '2026-03-11T11:00:00.000Z',
    });
  });

  it('records a resolution after its due time as breached, and a late answer too', async () => {
    moveTo('2026-03-11T09:00:00.000Z'); // Wednesday
    const people = await cast();
    const ticket = await openTicket(t, people.customer, category, { priority: 'critical' });
    moveTo('2026-03-11T09:20:00.000Z');
    let { agent } = await people.refresh();
    await write(agent, ticket.id, 'Looking into it.');
    expect((await read(agent, ticket.id)).sla?.state).toBe('breached');
    moveTo('2026-03-11T14:00:00.000Z');
    ({ agent } = await people.refresh());
    expect((await setStatus(agent, ticket.id, 'resolved')).sla?.state).toBe('breached');
  });

  it('carries no SLA for a priority without targets', async () => {
    const admin = await signInAs(t, 'admin');
    const none = { first_response: null, resolution: null };
    const saved = await callAs(t, admin, 'PUT', '/settings', {
      sla: { low: none, normal: none, high: none, critical: none },
    });
    expect(saved.statusCode).toBe(200);
    const { customer, agent } = await cast();
    const ticket = await openTicket(t, customer, category);
    expect((await read(agent, ticket.id)).sla).toBeNull();
  });
});
