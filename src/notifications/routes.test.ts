import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { NotificationDto, notificationPageSchema } from './schemas.js';

/** `GET /notifications`'s reply. */
type NotificationPage = z.infer<typeof notificationPageSchema>;

describe('notifications: who is told what, and the REST API', () => {
  let t: TestApp;
  let customer: Person;
  let agent: Person;
  let moderator: Person;
  let blockedAgent: Person;
  let category: string;
  const events: DomainEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    await t.container.events.subscribe((event) => events.push(event));
    // They read English, as the texts expected below are; see the language test for the others.
    customer = await signInAs(t, 'user', { first_name: 'Cora', language_code: 'en' });
    agent = await signInAs(t, 'agent', { first_name: 'Artem', language_code: 'en' });
    moderator = await signInAs(t, 'moderator', { first_name: 'Mira', language_code: 'en' });
    blockedAgent = await signInAs(t, 'agent');
    await t.container.users.setActive(blockedAgent.id, false);
    category = await addCategory(t);
  });
  afterAll(() => t.close());

  async function list(person: Person, query = ''): Promise<NotificationPage> {
    const response = await callAs(t, person, 'GET', `/notifications${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<NotificationPage>();
  }

  async function typesAbout(person: Person, ticketId: string): Promise<string[]> {
    const body = await list(person, '?limit=100');
    return body.items.filter((n) => n.ticket_id === ticketId).map((n) => n.type ?? '');
  }

  it('tells active staff but not the author of a new ticket, and announces it live', async () => {
    const ticket = await openTicket(t, customer, category, { title: 'Lost <b>key</b>' });
    expect(await typesAbout(agent, ticket.id)).toEqual(['ticket_created']);
    expect(await typesAbout(moderator, ticket.id)).toEqual(['ticket_created']);
    expect(await typesAbout(customer, ticket.id)).toEqual([]);
    const mine = (await list(agent)).items.find((n) => n.ticket_id === ticket.id);
    expect(mine).toMatchObject({
      user_id: agent.id,
      type: 'ticket_created',
      title: `New ticket #${ticket.number}`,
      content: 'Lost key\n\nNothing comes out since Monday.',
      is_read: false,
    });
    await expect
      .poll(() =>
        events.filter((e) => e.type === 'notification.created' && e.ticket_id === ticket.id),
      )
      .toHaveLength(2);
    const event = events.find((e) => e.type === 'notification.created' && e.user_id === agent.id);
    expect(event?.data).toMatchObject({ id: mine?.id, user_id: agent.id });
  });

  it('a staff member’s own ticket is not announced to them', async () => {
    const ticket = await openTicket(t, agent, category);
    expect(await typesAbout(agent, ticket.id)).toEqual([]);
    expect(await typesAbout(moderator, ticket.id)).toEqual(['ticket_created']);
  });

  it('tells the assignee, unless they took the ticket themself', async () => {
    const ticket = await openTicket(t, customer, category);
    await callAs(t, moderator, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: agent.id });
    expect(await typesAbout(agent, ticket.id)).toEqual(['ticket_assigned', 'ticket_created']);
    await callAs(t, moderator, 'PUT', `/tickets/${ticket.id}/assign`, {
      assigned_to: moderator.id,
    });
    expect(await typesAbout(moderator, ticket.id)).toEqual(['ticket_created']);
    await callAs(t, moderator, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: null });
    expect(await typesAbout(moderator, ticket.id)).toEqual(['ticket_created']);
  });

  it('tells the author of a status change, unless they made it', async () => {
    const ticket = await openTicket(t, customer, category);
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'resolved' });
    const [told] = (await list(customer)).items.filter((n) => n.ticket_id === ticket.id);
    expect(told).toMatchObject({
      type: 'status_changed',
      content: '«Printer does not print»: resolved',
    });
    await callAs(t, customer, 'PUT', `/tickets/${ticket.id}/status`, { status: 'closed' });
    expect(await typesAbout(customer, ticket.id)).toEqual(['status_changed']);
  });

  it('writes each notice in its reader’s language: English for de, Russian for none known', async () => {
    const german = await signInAs(t, 'user', { first_name: 'Greta', language_code: 'de' });
    const unknown = await signInAs(t, 'user', { first_name: 'Nika' });
    const told = async (person: Person) => {
      const ticket = await openTicket(t, person, category);
      await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'waiting' });
      const [notice] = (await list(person)).items.filter((n) => n.ticket_id === ticket.id);
      return { number: ticket.number, notice };
    };
    const inGerman = await told(german);
    expect(inGerman.notice).toMatchObject({
      title: `Ticket #${inGerman.number} status`,
      content: '«Printer does not print»: waiting for customer',
    });
    const inNone = await told(unknown);
    expect(inNone.notice).toMatchObject({
      title: `Статус обращения #${inNone.number}`,
      content: '«Printer does not print»: ждёт ответа клиента',
    });
  });

  it('tells a message’s other participants; internal notes only staff; never the writer', async () => {
    const ticket = await openTicket(t, customer, category);
    const bystander = await signInAs(t, 'agent');
    await callAs(t, moderator, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: agent.id });
    await callAs(t, moderator, 'POST', `/tickets/${ticket.id}/messages`, { content: 'On it' });
    expect(await typesAbout(customer, ticket.id)).toEqual(['new_message']);
    expect(await typesAbout(agent, ticket.id)).toEqual([
      'new_message',
      'ticket_assigned',
      'ticket_created',
    ]);
    expect(await typesAbout(moderator, ticket.id)).toEqual(['ticket_created']);
    await callAs(t, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'VIP customer',
      is_internal: true,
    });
    expect(await typesAbout(customer, ticket.id)).toEqual(['new_message']);
    const [note] = (await list(moderator)).items.filter((n) => n.ticket_id === ticket.id);
    expect(note).toMatchObject({ title: `Internal note in ticket #${ticket.number}` });
    await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, { content: 'Thanks' });
    expect(await typesAbout(moderator, ticket.id)).toEqual([
      'new_message',
      'new_message',
      'ticket_created',
    ]);
    // Staff who never wrote in the ticket are not told of its conversation.
    expect(await typesAbout(bystander, ticket.id)).toEqual([]);
    // A blocked staff member (who can no longer sign in) is told nothing.
    const blocked = await t.container.notifications.list(blockedAgent.id, {
      unread_only: false,
      limit: 100,
    });
    expect(blocked.items).toEqual([]);
  });

  it('lets the system tell all staff, e.g. of an infected file', async () => {
    const ticket = await openTicket(t, customer, category);
    await t.container.uow.run((work) =>
      t.container.notifications.notifyStaff(work, {
        type: 'system',
        title: 'Infected file removed',
        content: 'eicar.txt in a ticket',
        ticket_id: ticket.id,
        except: moderator.id,
      }),
    );
    const told = () =>
      events.flatMap((e) =>
        e.type === 'notification.created' && e.ticket_id === ticket.id && e.data.type === 'system'
          ? [e.user_id]
          : [],
      );
    await expect.poll(told).toContain(agent.id);
    expect(told()).not.toContain(moderator.id);
    expect(await typesAbout(agent, ticket.id)).toContain('system');
  });

  it('pages newest first by cursor, filters unread, trims fields and counts unread', async () => {
    const reader = await signInAs(t, 'agent');
    for (let i = 0; i < 3; i += 1) await openTicket(t, customer, category, { title: `T${i}` });
    const first = await list(reader, '?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.unread_count).toBe(3);
    expect(first.items[0]?.content?.startsWith('T2')).toBe(true);
    const second = await list(reader, `?limit=2&cursor=${first.next_cursor ?? ''}`);
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect(second.items[0]?.content?.startsWith('T0')).toBe(true);

    const read = await callAs(t, reader, 'PUT', `/notifications/${first.items[0]?.id ?? ''}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json<NotificationDto>().is_read).toBe(true);
    const unread = await list(reader, '?unread_only=true&fields=id,is_read');
    expect(unread.items).toHaveLength(2);
    expect(unread.unread_count).toBe(2);
    expect(Object.keys(unread.items[0] ?? {}).sort((a, b) => a.localeCompare(b))).toEqual([
      'id',
      'is_read',
    ]);
    const count = await callAs(t, reader, 'GET', '/notifications/unread-count');
    expect(count.json()).toEqual({ unread_count: 2 });

    const all = await callAs(t, reader, 'PUT', '/notifications/read-all');
    expect(all.json()).toEqual({ updated: 2 });
    expect((await list(reader)).unread_count).toBe(0);
    expect((await callAs(t, reader, 'PUT', '/notifications/read-all')).json()).toEqual({
      updated: 0,
    });
  });

  it('answers 404 for someone else’s notification and leaves it unread', async () => {
    const theirs = (await list(agent)).items.find((n) => !n.is_read);
    const response = await callAs(t, customer, 'PUT', `/notifications/${theirs?.id ?? ''}/read`);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const still = (await list(agent, '?limit=100')).items.find((n) => n.id === theirs?.id);
    expect(still?.is_read).toBe(false);
  });

  it('refuses bad input with 422: a bad id, cursor, field or flag', async () => {
    const cases = [
      ['PUT', '/notifications/not-a-uuid/read'],
      ['GET', '/notifications?cursor=garbage'],
      ['GET', '/notifications?fields=id,nope'],
      ['GET', '/notifications?unread_only=maybe'],
      ['GET', '/notifications?limit=0'],
      ['GET', '/notifications?colour=red'],
    ] as const;
    for (const [method, url] of cases) {
      const response = await callAs(t, agent, method, url);
      expect(response.statusCode, url).toBe(422);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
    }
  });

  it('refuses forged cursors with 422, and an unknown id with 404', async () => {
    const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const sort = 'notifications:-created_at';
    const forged = [
      forge({ s: 'tickets:-created_at', k: ['2026-01-01T00:00:00.000Z', agent.id] }),
      forge({ s: sort, k: ['2026-01-01T00:00:00.000Z', 'not-a-uuid'] }),
      forge({ s: sort, k: ['yesterday', agent.id] }),
      forge({ s: sort, k: ['2026-01-01T00:00:00.000Z'] }),
      forge({ s: sort, k: [1, 2] }),
      forge([sort]),
    ];
    for (const cursor of forged) {
      const response = await callAs(t, agent, 'GET', `/notifications?cursor=${cursor}`);
      expect(response.statusCode, cursor).toBe(422);
    }
    const honest = forge({ s: sort, k: ['2100-01-01T00:00:00.000Z', agent.id] });
    expect((await callAs(t, agent, 'GET', `/notifications?cursor=${honest}`)).statusCode).toBe(200);
    const unknown = await callAs(
      t,
      agent,
      'PUT',
      '/notifications/00000000-0000-7000-8000-000000000000/read',
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses anonymous callers with 401', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/notifications' });
    expect(response.statusCode).toBe(401);
  });
});
