import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import {
  addCategory,
  openTicket,
  signInAs,
  signInEveryRole,
  type Person,
} from '../../test/people.js';
import { auditLog, type UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { CannedReplyDto } from './schemas.js';

const missingId = '01a20d14-0000-7000-8000-000000000000';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

describe('/canned-replies', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let otherAgent: Person;
  let category: string;
  let unique = 0;

  beforeAll(async () => {
    t = await createTestApp();
    people = await signInEveryRole(t);
    otherAgent = await signInAs(t, 'agent', { first_name: 'Boris' });
    category = await addCategory(t);
  });
  afterAll(() => t.close());

  const call = (person: Person, method: Method, url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: person.headers,
      ...(payload ? { payload } : {}),
    });

  /** A shortcut no other test of this file uses. */
  const freshShortcut = (stem = 'reply') => {
    unique += 1;
    return `${stem}${unique}`;
  };

  async function create(person: Person, fields: Record<string, unknown> = {}) {
    const response = await call(person, 'POST', '/canned-replies', {
      title: 'Refund on its way',
      shortcut: freshShortcut(),
      body: 'Hello {customer_name}, the refund for {ticket_number} is on its way. {agent_name}',
      ...fields,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CannedReplyDto>();
  }

  async function listAs(person: Person, query = ''): Promise<CannedReplyDto[]> {
    const response = await call(person, 'GET', `/canned-replies?limit=100${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: CannedReplyDto[] }>().items;
  }

  async function auditActions(id: string): Promise<string[]> {
    const rows = await t.container.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, 'canned_reply'), eq(auditLog.entityId, id)))
      .orderBy(auditLog.createdAt, auditLog.id);
    return rows.map((row) => row.action);
  }

  describe('who may use them', () => {
    it('refuses customers with 403 on every route', async () => {
      const mine = await create(people.agent);
      for (const [method, url] of [
        ['GET', '/canned-replies'],
        ['POST', '/canned-replies'],
        ['GET', `/canned-replies/${mine.id}`],
        ['PATCH', `/canned-replies/${mine.id}`],
        ['PUT', `/canned-replies/${mine.id}`],
        ['DELETE', `/canned-replies/${mine.id}`],
        ['GET', `/canned-replies/${mine.id}/filled?ticket_id=${missingId}`],
      ] as const) {
        const response = await call(
          people.user,
          method,
          url,
          method === 'GET' || method === 'DELETE'
            ? undefined
            : { title: 'x', shortcut: 'x', body: 'x' },
        );
        expect(response.statusCode, `${method} ${url}`).toBe(403);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('refuses anyone not signed in with 401', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/canned-replies' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('personal replies', () => {
    it('lets an agent create, read, change and delete their own', async () => {
      const created = await create(people.agent, { shortcut: 'Refund', language: 'en' });
      expect(created).toMatchObject({
        shortcut: 'refund',
        language: 'en',
        scope: 'personal',
        owner_id: people.agent.id,
        created_by: people.agent.id,
      });
      const patched = await call(people.agent, 'PATCH', `/canned-replies/${created.id}`, {
        title: 'Refund sent',
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json<CannedReplyDto>().title).toBe('Refund sent');
      const put = await call(people.agent, 'PUT', `/canned-replies/${created.id}`, {
        body: 'Done, {customer_name}.',
      });
      expect(put.json<CannedReplyDto>()).toMatchObject({
        title: 'Refund sent',
        body: 'Done, {customer_name}.',
      });
      expect((await listAs(people.agent)).map((r) => r.id)).toContain(created.id);
      expect((await call(people.agent, 'DELETE', `/canned-replies/${created.id}`)).statusCode).toBe(
        204,
      );
      expect((await call(people.agent, 'GET', `/canned-replies/${created.id}`)).statusCode).toBe(
        404,
      );
      // Personal replies are nobody else's business: not audited.
      expect(await auditActions(created.id)).toEqual([]);
    });

    it('hides one’s personal replies from everyone else, admins included (404)', async () => {
      const mine = await create(people.agent);
      for (const other of [otherAgent, people.moderator, people.admin, people.owner]) {
        expect((await listAs(other)).map((r) => r.id)).not.toContain(mine.id);
        for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
          const response = await call(
            other,
            method,
            `/canned-replies/${mine.id}`,
            method === 'PATCH' ? { title: 'Mine now' } : undefined,
          );
          expect(response.statusCode, `${method} as ${other.role}`).toBe(404);
        }
      }
      expect((await call(people.agent, 'GET', `/canned-replies/${mine.id}`)).statusCode).toBe(200);
    });

    it('answers 404 for a reply that does not exist', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const response = await call(
          people.agent,
          method,
          `/canned-replies/${missingId}`,
          method === 'PATCH' ? { title: 'x' } : undefined,
        );
        expect(response.statusCode).toBe(404);
      }
    });

    it('refuses a second reply with the same shortcut and language (409), in any case', async () => {
      const first = await create(people.agent, { shortcut: 'hello', language: 'ru' });
      const clash = await call(people.agent, 'POST', '/canned-replies', {
        title: 'Another',
        shortcut: 'HELLO',
        body: 'Hi',
        language: 'ru',
      });
      expect(clash.statusCode).toBe(409);
      expect(clash.json<Problem>().code).toBe('duplicate_shortcut');
      // Another language, or another person's own, is fine.
      await create(people.agent, { shortcut: 'hello', language: 'en' });
      await create(otherAgent, { shortcut: 'hello', language: 'ru' });
      // Renaming onto a taken shortcut is refused too.
      const other = await create(people.agent, { language: 'ru' });
      const rename = await call(people.agent, 'PATCH', `/canned-replies/${other.id}`, {
        shortcut: first.shortcut,
      });
      expect(rename.statusCode).toBe(409);
    });
  });

  describe('shared replies', () => {
    it('are created by moderators and above, audited, and read by every agent', async () => {
      const shared = await create(people.moderator, {
        scope: 'shared',
        shortcut: freshShortcut('team'),
      });
      expect(shared).toMatchObject({ scope: 'shared', owner_id: null });
      expect((await listAs(otherAgent)).map((r) => r.id)).toContain(shared.id);
      expect((await call(otherAgent, 'GET', `/canned-replies/${shared.id}`)).statusCode).toBe(200);

      const changed = await call(people.admin, 'PATCH', `/canned-replies/${shared.id}`, {
        title: 'Team answer',
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json<CannedReplyDto>().updated_by).toBe(people.admin.id);
      expect((await call(people.owner, 'DELETE', `/canned-replies/${shared.id}`)).statusCode).toBe(
        204,
      );
      expect(await auditActions(shared.id)).toEqual([
        'canned_reply.created',
        'canned_reply.updated',
        'canned_reply.deleted',
      ]);
    });

    it('refuses agents creating, changing or deleting them (403)', async () => {
      const refused = await call(people.agent, 'POST', '/canned-replies', {
        title: 'Team',
        shortcut: freshShortcut(),
        body: 'Hi',
        scope: 'shared',
      });
      expect(refused.statusCode).toBe(403);
      const shared = await create(people.moderator, { scope: 'shared' });
      const patch = await call(people.agent, 'PATCH', `/canned-replies/${shared.id}`, {
        title: 'Mine',
      });
      expect(patch.statusCode).toBe(403);
      expect((await call(people.agent, 'DELETE', `/canned-replies/${shared.id}`)).statusCode).toBe(
        403,
      );
      expect(
        (await call(people.agent, 'GET', `/canned-replies/${shared.id}`)).json<CannedReplyDto>()
          .title,
      ).toBe('Refund on its way');
    });

    it('keeps shared shortcuts unique per language apart from personal ones', async () => {
      const shortcut = freshShortcut('greet');
      await create(people.moderator, { scope: 'shared', shortcut, language: 'en' });
      const clash = await call(people.admin, 'POST', '/canned-replies', {
        title: 'Greeting',
        shortcut,
        body: 'Hi',
        language: 'en',
        scope: 'shared',
      });
      expect(clash.statusCode).toBe(409);
      expect(clash.json<Problem>().detail).toContain('shared');
      // The same word as one's own personal reply is allowed.
      await create(people.moderator, { shortcut, language: 'en' });
    });
  });

  describe('validation', () => {
    it('refuses an unknown placeholder with 422 naming it', async () => {
      const response = await call(people.agent, 'POST', '/canned-replies', {
        title: 'Typo',
        shortcut: freshShortcut(),
        body: 'Hello {customer}, about {ticket_number} and {order_id}',
      });
      expect(response.statusCode).toBe(422);
      const problem = response.json<Problem>();
      expect(problem.errors).toEqual([
        expect.objectContaining({
          field: 'body',
          message: expect.stringContaining('{customer}, {order_id}'),
        }),
      ]);
      const mine = await create(people.agent);
      const patch = await call(people.agent, 'PATCH', `/canned-replies/${mine.id}`, {
        body: 'Dear {name}',
      });
      expect(patch.statusCode).toBe(422);
      expect(JSON.stringify(patch.json<Problem>().errors)).toContain('{name}');
    });

    it('refuses bad fields with 422', async () => {
      for (const body of [
        { title: '', shortcut: 'ok', body: 'x' },
        { title: 'x', shortcut: 'two words', body: 'x' },
        { title: 'x', shortcut: 'ok', body: '' },
        { title: 'x', shortcut: 'ok', body: 'x', language: 'de' },
        { title: 'x', shortcut: 'ok', body: 'x', scope: 'team' },
        { title: 'x', shortcut: 'ok', body: 'x'.repeat(4001) },
        { title: 'x', shortcut: 'ok', body: 'x', owner_id: people.admin.id },
      ]) {
        const response = await call(people.agent, 'POST', '/canned-replies', body);
        expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(422);
      }
      const mine = await create(people.agent);
      expect((await call(people.agent, 'PATCH', `/canned-replies/${mine.id}`, {})).statusCode).toBe(
        422,
      );
      expect((await call(people.agent, 'GET', '/canned-replies/not-a-uuid')).statusCode).toBe(422);
      expect((await call(people.agent, 'GET', '/canned-replies?language=de')).statusCode).toBe(422);
    });

    it('keeps titles and bodies plain text', async () => {
      const created = await create(people.agent, {
        title: '<b>Bold</b> title',
        body: 'Hi <script>alert(1)</script>{customer_name}',
      });
      expect(created.title).toBe('Bold title');
      expect(created.body).toBe('Hi {customer_name}');
    });
  });

  describe('search', () => {
    it('finds replies by words of the shortcut, title or body, and by language', async () => {
      const searcher = await signInAs(t, 'agent');
      const refund = await create(searcher, {
        shortcut: 'refund',
        title: 'Refund',
        body: 'Your money comes back in 5 days',
        language: 'en',
      });
      const delivery = await create(searcher, {
        shortcut: 'dostavka',
        title: 'Доставка',
        body: 'Курьер приедет завтра',
        language: 'ru',
      });
      const thanks = await create(searcher, {
        shortcut: 'thanks',
        title: 'Thanks 100%',
        body: 'Thank you!',
        language: 'any',
      });
      // Shared replies of other tests show too: only the searcher's own are compared.
      const ids = async (query: string) =>
        (await listAs(searcher, query)).filter((r) => r.owner_id === searcher.id).map((r) => r.id);
      expect(await ids('&q=REF')).toEqual([refund.id]);
      expect(await ids('&q=курьер')).toEqual([delivery.id]);
      expect(await ids('&q=money%20days')).toEqual([refund.id]);
      expect(await ids('&q=money%20courier')).toEqual([]);
      expect(await ids('&q=100%25')).toEqual([thanks.id]);
      expect(await ids('&q=_')).toEqual([]);
      expect(await ids('&language=ru')).toEqual([delivery.id, thanks.id]);
      expect(await ids('&language=en')).toEqual([refund.id, thanks.id]);
    });

    it('pages by shortcut', async () => {
      const pager = await signInAs(t, 'agent');
      for (const shortcut of ['c', 'a', 'b']) await create(pager, { shortcut });
      const first = await call(pager, 'GET', '/canned-replies?limit=2');
      const page = first.json<{ items: CannedReplyDto[]; next_cursor: string }>();
      expect(page.items.map((r) => r.shortcut)).toEqual(['a', 'b']);
      const second = await call(pager, 'GET', `/canned-replies?limit=2&cursor=${page.next_cursor}`);
      const rest = second.json<{ items: CannedReplyDto[] }>().items;
      // Shared replies of other tests (shortcuts after `b`) follow: its own `c` is next.
      expect(rest[0]?.shortcut).toBe('c');
      expect((await call(pager, 'GET', '/canned-replies?cursor=bogus')).statusCode).toBe(422);
    });
  });

  describe('GET /canned-replies/{id}/filled', () => {
    it('fills the customer’s name, the ticket number and the agent’s name', async () => {
      const customer = await signInAs(t, 'user', {
        first_name: 'Kira',
        last_name: 'Orlova',
        language_code: 'en',
      });
      const agent = await signInAs(t, 'agent', { first_name: 'Artem', last_name: 'Belov' });
      const ticket = await openTicket(t, customer, category);
      const reply = await create(agent);
      const response = await call(
        agent,
        'GET',
        `/canned-replies/${reply.id}/filled?ticket_id=${ticket.id}`,
      );
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ text: string }>().text).toBe(
        `Hello Kira Orlova, the refund for #${ticket.number} is on its way. Artem Belov`,
      );
    });

    it('answers 404 for a ticket that is not there, or another’s reply', async () => {
      const customer = await signInAs(t, 'user');
      const ticket = await openTicket(t, customer, category);
      const reply = await create(people.agent);
      const noTicket = await call(
        people.agent,
        'GET',
        `/canned-replies/${reply.id}/filled?ticket_id=${missingId}`,
      );
      expect(noTicket.statusCode).toBe(404);
      const notMine = await call(
        otherAgent,
        'GET',
        `/canned-replies/${reply.id}/filled?ticket_id=${ticket.id}`,
      );
      expect(notMine.statusCode).toBe(404);
      const noId = await call(people.agent, 'GET', `/canned-replies/${reply.id}/filled`);
      expect(noId.statusCode).toBe(422);
    });
  });
});
