import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testDatabaseKind } from '../../test/infra.js';
import {
  addCategory,
  openTicket,
  signInAs,
  type Person,
  callAs,
  type Method,
} from '../../test/people.js';
import { startTicketWorld, type Page } from '../../test/ticket-world.js';
import type { UserRole } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { Problem } from '../http/problem.js';
import type { TicketDto } from './schemas.js';

describe('tickets', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let stranger: Person;
  let category: string;
  let events: DomainEvent[];

  beforeAll(async () => {
    ({ t, people, stranger, category, events } = await startTicketWorld('Hardware'));
  });
  afterAll(() => t.close());

  const call = (person: Person, method: Method, url: string, payload?: object) =>
    callAs(t, person, method, url, payload);

  describe('POST /tickets', () => {
    it('opens a ticket for the caller with a short number, open and normal by default', async () => {
      const response = await call(people.user, 'POST', '/tickets', {
        category_id: category,
        title: '  Cannot print  ',
        description: 'The printer says paper jam.',
      });
      expect(response.statusCode).toBe(201);
      const ticket = response.json<TicketDto>();
      expect(ticket).toMatchObject({
        user_id: people.user.id,
        assigned_to: null,
        category_id: category,
        title: 'Cannot print',
        status: 'open',
        priority: 'normal',
        closed_at: null,
        first_response_at: null,
      });
      expect(ticket.number).toBeGreaterThan(0);
      expect(ticket.created_at).toBe(ticket.updated_at);
      await vi.waitFor(() =>
        expect(events).toContainEqual(
          expect.objectContaining({ type: 'ticket.created', ticket_id: ticket.id }),
        ),
      );
    });

    it('numbers tickets one after another', async () => {
      const first = await openTicket(t, people.user, category);
      const second = await openTicket(t, people.user, category);
      expect(second.number).toBe(first.number + 1);
    });

    it('removes HTML from title and description', async () => {
      const ticket = await openTicket(t, people.user, category, {
        title: '<b>Broken</b> <script>alert(1)</script>screen',
        description: '<img src=x onerror=alert(1)>It flickers',
      });
      const body = (await call(people.user, 'GET', `/tickets/${ticket.id}`)).json<TicketDto>();
      expect(body.title).toBe('Broken screen');
      expect(body.description).toBe('It flickers');
    });

    it.each([
      ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
      ['an empty title', { title: '   ' }, 'title'],
      ['a description over 2000 characters', { description: 'y'.repeat(2001) }, 'description'],
      ['markup and nothing else', { description: '<p></p>' }, 'description'],
      ['an unknown priority', { priority: 'urgent' }, 'priority'],
      ['a malformed category id', { category_id: 'not-a-uuid' }, 'category_id'],
      ['an unknown field', { status: 'closed' }, 'status'],
    ])('refuses %s with 422 naming the field', async (_name, change, field) => {
      const response = await call(people.user, 'POST', '/tickets', {
        category_id: category,
        title: 'Title',
        description: 'Description',
        ...change,
      });
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().errors?.map((error) => error.field)).toContain(field);
    });

    it('refuses an unknown or inactive category with 422 on category_id', async () => {
      const inactive = await addCategory(t, { isActive: false });
      for (const id of [inactive, '01a20d14-0000-7000-8000-000000000000']) {
        const response = await call(people.user, 'POST', '/tickets', {
          category_id: id,
          title: 'Title',
          description: 'Description',
        });
        expect(response.statusCode).toBe(422);
        expect(response.json<Problem>().errors?.[0]?.field).toBe('category_id');
      }
    });
  });

  describe('GET /tickets/:id', () => {
    it('shows a user their own ticket and hides others’ as 404', async () => {
      const ticket = await openTicket(t, people.user, category);
      expect((await call(people.user, 'GET', `/tickets/${ticket.id}`)).statusCode).toBe(200);
      expect((await call(stranger, 'GET', `/tickets/${ticket.id}`)).statusCode).toBe(404);
      expect((await call(people.agent, 'GET', `/tickets/${ticket.id}`)).statusCode).toBe(200);
    });

    it('answers a malformed id with 422 and a missing one with 404', async () => {
      const bad = await call(people.agent, 'GET', '/tickets/123');
      expect(bad.statusCode).toBe(422);
      expect(bad.json<Problem>().errors?.[0]?.field).toBe('params.id');
      const missing = await call(
        people.agent,
        'GET',
        '/tickets/01a20d14-0000-7000-8000-000000000000',
      );
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('PUT /tickets/:id', () => {
    it('lets the author change title, description and priority, recording before and after', async () => {
      const ticket = await openTicket(t, people.user, category);
      const response = await call(people.user, 'PUT', `/tickets/${ticket.id}`, {
        title: 'Printer on floor 2 does not print',
        priority: 'high',
      });
      expect(response.statusCode).toBe(200);
      const body = response.json<TicketDto>();
      expect(body).toMatchObject({ title: 'Printer on floor 2 does not print', priority: 'high' });
      expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(body.created_at));
      const history = (await call(people.agent, 'GET', `/tickets/${ticket.id}/history`)).json<
        Page<{ action: string; actor_id: string; before: object; after: object }>
      >();
      expect(history.items[0]).toMatchObject({
        action: 'ticket.updated',
        actor_id: people.user.id,
        before: { title: 'Printer does not print', priority: 'normal' },
        after: { title: 'Printer on floor 2 does not print', priority: 'high' },
      });
    });

    it('lets staff change priority and category but not the author’s words', async () => {
      const ticket = await openTicket(t, people.user, category);
      const other = await addCategory(t);
      const ok = await call(people.agent, 'PUT', `/tickets/${ticket.id}`, {
        priority: 'critical',
        category_id: other,
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json<TicketDto>()).toMatchObject({ priority: 'critical', category_id: other });
      const words = await call(people.admin, 'PUT', `/tickets/${ticket.id}`, { title: 'Mine now' });
      expect(words.statusCode).toBe(403);
    });

    it('refuses a user changing the category, and anyone editing a closed ticket', async () => {
      const ticket = await openTicket(t, people.user, category);
      const other = await addCategory(t);
      expect(
        (await call(people.user, 'PUT', `/tickets/${ticket.id}`, { category_id: other }))
          .statusCode,
      ).toBe(403);
      await call(people.user, 'PUT', `/tickets/${ticket.id}/status`, { status: 'closed' });
      const closed = await call(people.user, 'PUT', `/tickets/${ticket.id}`, { priority: 'low' });
      expect(closed.statusCode).toBe(409);
      expect(
        (await call(stranger, 'PUT', `/tickets/${ticket.id}`, { priority: 'low' })).statusCode,
      ).toBe(404);
    });

    it('refuses an empty change and a move to an inactive category', async () => {
      const ticket = await openTicket(t, people.user, category);
      expect((await call(people.user, 'PUT', `/tickets/${ticket.id}`, {})).statusCode).toBe(422);
      const inactive = await addCategory(t, { isActive: false });
      const response = await call(people.agent, 'PUT', `/tickets/${ticket.id}`, {
        category_id: inactive,
      });
      expect(response.statusCode).toBe(422);
    });
  });

  describe('PUT /tickets/:id/status', () => {
    it('lets staff walk the state machine, setting and clearing closed_at', async () => {
      const ticket = await openTicket(t, people.user, category);
      const walk = async (status: string) =>
        (
          await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, { status })
        ).json<TicketDto>();
      expect((await walk('in_progress')).status).toBe('in_progress');
      expect((await walk('waiting')).status).toBe('waiting');
      expect((await walk('resolved')).closed_at).toBeNull();
      // A resolved ticket may go back to waiting on the customer.
      expect((await walk('waiting')).status).toBe('waiting');
      expect((await walk('resolved')).status).toBe('resolved');
      const closed = await walk('closed');
      expect(closed.closed_at).not.toBeNull();
      const reopened = await walk('open');
      expect(reopened).toMatchObject({ status: 'open', closed_at: null });
    });

    it('allows a closed ticket only to be reopened (409 otherwise)', async () => {
      const ticket = await openTicket(t, people.user, category);
      await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'closed' });
      for (const status of ['in_progress', 'waiting', 'resolved']) {
        const response = await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, {
          status,
        });
        expect(response.statusCode, status).toBe(409);
        expect(response.json<Problem>().code).toBe('invalid_transition');
      }
    });

    it('lets the author close and reopen, and nothing else', async () => {
      const ticket = await openTicket(t, people.user, category);
      const set = (person: Person, status: string) =>
        call(person, 'PUT', `/tickets/${ticket.id}/status`, { status });
      expect((await set(people.user, 'in_progress')).statusCode).toBe(403);
      expect((await set(people.user, 'resolved')).statusCode).toBe(403);
      expect((await set(people.user, 'closed')).statusCode).toBe(200);
      expect((await set(people.user, 'open')).statusCode).toBe(200);
      expect((await set(stranger, 'closed')).statusCode).toBe(404);
    });

    it('treats the same status as a no-op and publishes the change with before and after', async () => {
      const ticket = await openTicket(t, people.user, category);
      const same = await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, {
        status: 'open',
      });
      expect(same.statusCode).toBe(200);
      await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'waiting' });
      await vi.waitFor(() =>
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'ticket.status_changed',
            ticket_id: ticket.id,
            ticket_user_id: people.user.id,
            actor_id: people.agent.id,
            changes: { status: { from: 'open', to: 'waiting' } },
          }),
        ),
      );
      const changes = events.filter(
        (event) => event.ticket_id === ticket.id && event.type === 'ticket.status_changed',
      );
      expect(changes).toHaveLength(1);
    });

    it('refuses an unknown status with 422', async () => {
      const ticket = await openTicket(t, people.user, category);
      const response = await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, {
        status: 'done',
      });
      expect(response.statusCode).toBe(422);
    });
  });

  describe('PUT /tickets/:id/assign', () => {
    it('assigns to staff, unassigns with null, and publishes ticket.assigned', async () => {
      const ticket = await openTicket(t, people.user, category);
      const assigned = await call(people.agent, 'PUT', `/tickets/${ticket.id}/assign`, {
        assigned_to: people.moderator.id,
      });
      expect(assigned.json<TicketDto>().assigned_to).toBe(people.moderator.id);
      await vi.waitFor(() =>
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'ticket.assigned',
            ticket_id: ticket.id,
            changes: { assigned_to: { from: null, to: people.moderator.id } },
          }),
        ),
      );
      const cleared = await call(people.agent, 'PUT', `/tickets/${ticket.id}/assign`, {
        assigned_to: null,
      });
      expect(cleared.json<TicketDto>().assigned_to).toBeNull();
    });

    it('refuses an assignee who is not active staff with 422', async () => {
      const ticket = await openTicket(t, people.user, category);
      const blockedAgent = await signInAs(t, 'agent');
      await t.container.users.setActive(blockedAgent.id, false);
      for (const assignee of [
        people.user.id,
        blockedAgent.id,
        '01a20d14-0000-7000-8000-000000000000',
      ]) {
        const response = await call(people.agent, 'PUT', `/tickets/${ticket.id}/assign`, {
          assigned_to: assignee,
        });
        expect(response.statusCode).toBe(422);
        expect(response.json<Problem>().errors?.[0]?.field).toBe('assigned_to');
      }
    });

    it('refuses users (403) and closed tickets (409)', async () => {
      const ticket = await openTicket(t, people.user, category);
      const byUser = await call(people.user, 'PUT', `/tickets/${ticket.id}/assign`, {
        assigned_to: people.agent.id,
      });
      expect(byUser.statusCode).toBe(403);
      await call(people.user, 'PUT', `/tickets/${ticket.id}/status`, { status: 'closed' });
      const closed = await call(people.agent, 'PUT', `/tickets/${ticket.id}/assign`, {
        assigned_to: people.agent.id,
      });
      expect(closed.statusCode).toBe(409);
    });
  });

  describe('DELETE /tickets/:id', () => {
    it('lets admins delete a ticket with its messages, and records it', async () => {
      const ticket = await openTicket(t, people.user, category);
      await call(people.user, 'POST', `/tickets/${ticket.id}/messages`, { content: 'Hello?' });
      expect((await call(people.moderator, 'DELETE', `/tickets/${ticket.id}`)).statusCode).toBe(
        403,
      );
      expect((await call(people.admin, 'DELETE', `/tickets/${ticket.id}`)).statusCode).toBe(204);
      expect((await call(people.admin, 'GET', `/tickets/${ticket.id}`)).statusCode).toBe(404);
      expect((await call(people.admin, 'DELETE', `/tickets/${ticket.id}`)).statusCode).toBe(404);
      await vi.waitFor(() =>
        expect(events).toContainEqual(
          expect.objectContaining({ type: 'ticket.deleted', ticket_id: ticket.id }),
        ),
      );
      const activity = (await call(people.admin, 'GET', `/users/${people.admin.id}/activity`)).json<
        Page<{ action: string; entity_id: string }>
      >();
      expect(activity.items[0]).toMatchObject({ action: 'ticket.deleted', entity_id: ticket.id });
    });
  });

  describe('GET /tickets/:id/history', () => {
    it('shows the author their ticket’s history without internal notes, and staff all of it', async () => {
      const ticket = await openTicket(t, people.user, category);
      await call(people.agent, 'POST', `/tickets/${ticket.id}/messages`, {
        content: 'Looks like the toner',
        is_internal: true,
      });
      await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'in_progress' });
      const actions = async (person: Person) =>
        (await call(person, 'GET', `/tickets/${ticket.id}/history`))
          .json<Page<{ action: string }>>()
          .items.map((entry) => entry.action);
      expect(await actions(people.agent)).toEqual([
        'ticket.status_changed',
        'message.created',
        'ticket.created',
      ]);
      expect(await actions(people.user)).toEqual(['ticket.status_changed', 'ticket.created']);
      expect((await call(stranger, 'GET', `/tickets/${ticket.id}/history`)).statusCode).toBe(404);
    });
  });
});

/**
 * Races only a real PostgreSQL can run (PGlite runs one transaction at a time). A second
 * connection holds a row lock, so both requests are under way before either can finish.
 */
if (testDatabaseKind === 'postgres') {
  describe('changes racing each other on PostgreSQL', () => {
    let t: TestApp;
    let admin: Person;
    let customer: Person;
    let holder: pg.Client;

    beforeAll(async () => {
      t = await createTestApp();
      admin = await signInAs(t, 'admin');
      customer = await signInAs(t, 'user');
      holder = new pg.Client({ connectionString: t.databaseUrl });
      await holder.connect();
    });
    afterAll(async () => {
      await holder.end();
      await t.close();
    });

    /** Runs `requests` while `lockSql` holds a lock, releasing it once they have all started. */
    async function whileLocked<T>(lockSql: string, values: unknown[], requests: () => Promise<T>) {
      await holder.query('begin');
      await holder.query(lockSql, values);
      const pending = requests();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('commit');
      return pending;
    }

    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

    it('refuses a ticket in a category deleted meanwhile with 422, never a 500', async () => {
      const category = await addCategory(t);
      const [removal, creation] = await whileLocked(
        'select id from categories where id = $1 for update',
        [category],
        async () => {
          const removing = callAs(t, admin, 'DELETE', `/categories/${category}`);
          await pause();
          const creating = callAs(t, customer, 'POST', '/tickets', {
            category_id: category,
            title: 'Racing',
            description: 'A ticket racing its category’s deletion',
          });
          return Promise.all([removing, creating]);
        },
      );
      expect(removal.statusCode).toBe(204);
      expect(creation.statusCode, creation.body).toBe(422);
    });

    it('refuses an assignment to someone demoted meanwhile', async () => {
      const category = await addCategory(t);
      const ticket = await openTicket(t, customer, category);
      const agent = await signInAs(t, 'agent');
      const [assignment, demotion] = await whileLocked(
        'select id from tickets where id = $1 for update',
        [ticket.id],
        async () => {
          const assigning = callAs(t, admin, 'PUT', `/tickets/${ticket.id}/assign`, {
            assigned_to: agent.id,
          });
          await pause();
          // The demotion does not need the ticket: it completes while the assignment waits.
          const demotion = await callAs(t, admin, 'PUT', `/users/${agent.id}/role`, {
            role: 'user',
          });
          return [await assigning, demotion] as const;
        },
      );
      expect(demotion.statusCode).toBe(200);
      expect(assignment.statusCode, assignment.body).toBe(422);
      const current = await callAs(t, admin, 'GET', `/tickets/${ticket.id}`);
      expect(current.json<{ assigned_to: string | null }>().assigned_to).toBeNull();
    });
  });
}
