import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications, type NotificationType } from '../db/schema.js';

describe('who hears of a new ticket (routing in the settings)', () => {
  let t: TestApp;
  let customer: Person;
  let admin: Person;
  let agentOnDuty: Person;
  let agentOffDuty: Person;
  let moderator: Person;
  let printers: string;
  let billing: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    customer = await signInAs(t, 'user');
    admin = await signInAs(t, 'admin');
    agentOnDuty = await signInAs(t, 'agent');
    agentOffDuty = await signInAs(t, 'agent');
    moderator = await signInAs(t, 'moderator');
    printers = await addCategory(t, { name: 'Printers' });
    billing = await addCategory(t, { name: 'Billing' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const person of [admin, agentOnDuty, moderator]) {
      await callAs(t, person, 'PUT', '/auth/profile', { on_duty: true });
    }
    await callAs(t, agentOffDuty, 'PUT', '/auth/profile', { on_duty: false });
  });

  const sorted = (ids: string[]) => [...ids].sort((a, b) => a.localeCompare(b));

  async function route(routing: object): Promise<void> {
    const response = await callAs(t, admin, 'PUT', '/settings', { routing });
    expect(response.statusCode).toBe(200);
  }

  async function told(ticketId: string, type: NotificationType = 'ticket_created') {
    const rows = await t.container.database.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(and(eq(notifications.ticketId, ticketId), eq(notifications.type, type)));
    return sorted(rows.map((row) => row.userId));
  }

  const everyone = () => sorted([admin.id, agentOnDuty.id, agentOffDuty.id, moderator.id]);

  it('all: every active staff member', async () => {
    await route({ mode: 'all', categories: {} });
    const ticket = await openTicket(t, customer, printers);
    expect(await told(ticket.id)).toEqual(everyone());
  });

  it('on_duty: only staff on duty', async () => {
    await route({ mode: 'on_duty', categories: {} });
    const ticket = await openTicket(t, customer, printers);
    expect(await told(ticket.id)).toEqual(sorted([admin.id, agentOnDuty.id, moderator.id]));
  });

  it('on_duty: everyone when nobody is on duty', async () => {
    await route({ mode: 'on_duty', categories: {} });
    for (const person of [admin, agentOnDuty, moderator]) {
      await callAs(t, person, 'PUT', '/auth/profile', { on_duty: false });
    }
    const ticket = await openTicket(t, customer, printers);
    expect(await told(ticket.id)).toEqual(everyone());
  });

  it('per_category: the people listed for the ticket’s category, everyone for the others', async () => {
    await route({
      mode: 'per_category',
      categories: { [printers]: [agentOffDuty.id, moderator.id] },
    });
    const listed = await openTicket(t, customer, printers);
    expect(await told(listed.id)).toEqual(sorted([agentOffDuty.id, moderator.id]));
    const unlisted = await openTicket(t, customer, billing);
    expect(await told(unlisted.id)).toEqual(everyone());
  });

  it('per_category: a follow-up on a ticket nobody took goes to the same people', async () => {
    await route({ mode: 'per_category', categories: { [printers]: [agentOnDuty.id] } });
    const ticket = await openTicket(t, customer, printers);
    await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, { content: 'Any news?' });
    expect(await told(ticket.id, 'new_message')).toEqual([agentOnDuty.id]);
  });

  it('per_category: everyone when the listed people can no longer take tickets', async () => {
    const leaver = await signInAs(t, 'agent');
    await route({ mode: 'per_category', categories: { [billing]: [leaver.id] } });
    await t.container.users.setActive(leaver.id, false);
    const ticket = await openTicket(t, customer, billing);
    expect(await told(ticket.id)).toEqual(everyone());
  });
});
