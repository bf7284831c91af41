import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../../test/app.js';
import { openTicket, type Person, callAs, type Method } from '../../test/people.js';
import { startTicketWorld, type Page } from '../../test/ticket-world.js';
import type { AuditEntryDto } from '../audit/schemas.js';
import type { UserRole } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { Problem } from '../http/problem.js';
import type { TicketDto } from '../tickets/schemas.js';
import type { MessageDto } from './schemas.js';

describe('messages', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let stranger: Person;
  let category: string;
  let events: DomainEvent[];

  beforeAll(async () => {
    ({ t, people, stranger, category, events } = await startTicketWorld('Billing'));
  });
  afterAll(() => t.close());

  const call = (person: Person, method: Method, url: string, payload?: object) =>
    callAs(t, person, method, url, payload);

  /** A new ticket of `people.user`, optionally moved to `status` by an agent. */
  async function freshTicket(status?: string): Promise<string> {
    const ticket = await openTicket(t, people.user, category);
    if (status) {
      const moved = await call(people.agent, 'PUT', `/tickets/${ticket.id}/status`, { status });
      expect(moved.statusCode).toBe(200);
    }
    return ticket.id;
  }

  async function postMessage(
    person: Person,
    ticketId: string,
    payload: { content: string; is_internal?: boolean },
  ): Promise<MessageDto> {
    const response = await call(person, 'POST', `/tickets/${ticketId}/messages`, payload);
    expect(response.statusCode).toBe(201);
    return response.json<MessageDto>();
  }

  async function ticketAs(person: Person, ticketId: string): Promise<TicketDto> {
    const response = await call(person, 'GET', `/tickets/${ticketId}`);
    expect(response.statusCode).toBe(200);
    return response.json<TicketDto>();
  }

  async function listAs(person: Person, ticketId: string, query = ''): Promise<MessageDto[]> {
    const response = await call(person, 'GET', `/tickets/${ticketId}/messages${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<Page<MessageDto>>().items;
  }

  describe('POST /tickets/:id/messages', () => {
    it('adds the author’s message with the fields docs/api.md#messages lists', async () => {
      const ticketId = await freshTicket();
      const response = await call(people.user, 'POST', `/tickets/${ticketId}/messages`, {
        content: 'It still does not print.',
      });
      expect(response.statusCode).toBe(201);
      const message = response.json<MessageDto>();
      expect(new Set(Object.keys(message))).toEqual(
        new Set([
          'id',
          'ticket_id',
          'user_id',
          'author',
          'content',
          'attachments',
          'is_internal',
          'created_at',
          'edited_at',
        ]),
      );
      expect(message).toMatchObject({
        ticket_id: ticketId,
        user_id: people.user.id,
        content: 'It still does not print.',
        attachments: [],
        is_internal: false,
        edited_at: null,
      });
      // Whoever reads it sees who wrote it, but not their Telegram id or username.
      expect(message.author).toEqual({
        id: people.user.id,
        first_name: expect.any(String) as string,
        last_name: null,
        avatar_url: null,
        is_staff: false,
      });
      expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(message.created_at).toISOString()).toBe(message.created_at);
    });

    it('adds a staff reply to a user’s ticket', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.agent, ticketId, { content: 'Try turning it off.' });
      expect(message).toMatchObject({
        ticket_id: ticketId,
        user_id: people.agent.id,
        is_internal: false,
      });
    });

    it('lets staff post an internal note', async () => {
      const ticketId = await freshTicket();
      const note = await postMessage(people.agent, ticketId, {
        content: 'Customer is on the old firmware.',
        is_internal: true,
      });
      expect(note.is_internal).toBe(true);
    });

    it('refuses a user posting an internal note with 403', async () => {
      const ticketId = await freshTicket();
      const response = await call(people.user, 'POST', `/tickets/${ticketId}/messages`, {
        content: 'Secret',
        is_internal: true,
      });
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(await listAs(people.agent, ticketId)).toEqual([]);
    });

    it('answers 404 to a user who did not open the ticket, for the list and for a post', async () => {
      const ticketId = await freshTicket();
      const list = await call(stranger, 'GET', `/tickets/${ticketId}/messages`);
      expect(list.statusCode).toBe(404);
      const posted = await call(stranger, 'POST', `/tickets/${ticketId}/messages`, {
        content: 'Let me in',
      });
      expect(posted.statusCode).toBe(404);
      expect(await listAs(people.agent, ticketId)).toEqual([]);
    });

    it('answers 404 for a ticket that does not exist', async () => {
      const response = await call(
        people.agent,
        'POST',
        '/tickets/01a20d14-0000-7000-8000-000000000000/messages',
        { content: 'Hello?' },
      );
      expect(response.statusCode).toBe(404);
    });

    it('removes HTML from the content and keeps a bare less-than', async () => {
      const ticketId = await freshTicket();
      const stripped = await postMessage(people.user, ticketId, {
        content: '<script>alert(1)</script>Hi <b>there</b>',
      });
      expect(stripped.content).toBe('Hi there');
      const comparison = await postMessage(people.user, ticketId, { content: 'a < b' });
      expect(comparison.content).toBe('a < b');
    });

    it('accepts exactly 4000 characters', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'z'.repeat(4000) });
      expect(message.content).toHaveLength(4000);
    });

    it.each([
      ['markup and nothing else', { content: '<p><b></b></p>' }, 'content'],
      ['content over 4000 characters', { content: 'x'.repeat(4001) }, 'content'],
      ['empty content', { content: '' }, 'content'],
      ['whitespace only', { content: ' \n\t ' }, 'content'],
      ['no content', {}, 'content'],
      ['an unknown field', { content: 'Hi', ticket_id: 'x' }, 'ticket_id'],
      ['a non-boolean is_internal', { content: 'Hi', is_internal: 'yes' }, 'is_internal'],
    ])('refuses %s with 422 naming the field', async (_case, payload, field) => {
      const ticketId = await freshTicket();
      const response = await call(people.user, 'POST', `/tickets/${ticketId}/messages`, payload);
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().errors?.[0]?.field).toBe(field);
      expect(await listAs(people.agent, ticketId)).toEqual([]);
    });

    it('refuses a message on a closed ticket with 409', async () => {
      const ticketId = await freshTicket('closed');
      for (const person of [people.user, people.agent]) {
        const response = await call(person, 'POST', `/tickets/${ticketId}/messages`, {
          content: 'Anyone there?',
        });
        expect(response.statusCode).toBe(409);
        expect(response.json<Problem>().code).toBe('ticket_closed');
      }
    });

    it('answers 422 naming params.id for a malformed ticket id', async () => {
      const response = await call(people.user, 'POST', '/tickets/not-a-uuid/messages', {
        content: 'Hi',
      });
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe('params.id');
    });
  });

  describe('what a message does to its ticket', () => {
    it.each(['waiting', 'resolved'])(
      'reopens a %s ticket when its author replies',
      async (status) => {
        const ticketId = await freshTicket(status);
        await postMessage(people.user, ticketId, { content: 'Still broken.' });
        expect((await ticketAs(people.user, ticketId)).status).toBe('open');
      },
    );

    it('leaves a waiting ticket waiting when staff replies or writes a note', async () => {
      const ticketId = await freshTicket('waiting');
      await postMessage(people.agent, ticketId, { content: 'Any news?' });
      await postMessage(people.agent, ticketId, { content: 'Chase later', is_internal: true });
      expect((await ticketAs(people.agent, ticketId)).status).toBe('waiting');
    });

    it('records staff’s first public reply as the first response, and only the first', async () => {
      const ticketId = await freshTicket();
      await postMessage(people.user, ticketId, { content: 'Hello?' });
      expect((await ticketAs(people.agent, ticketId)).first_response_at).toBeNull();
      await postMessage(people.agent, ticketId, { content: 'Looking', is_internal: true });
      expect((await ticketAs(people.agent, ticketId)).first_response_at).toBeNull();
      const reply = await postMessage(people.agent, ticketId, { content: 'We are on it.' });
      const firstResponse = (await ticketAs(people.agent, ticketId)).first_response_at;
      expect(firstResponse).not.toBeNull();
      expect(new Date(firstResponse!).getTime()).toBeGreaterThanOrEqual(
        new Date(reply.created_at).getTime(),
      );
      await postMessage(people.moderator, ticketId, { content: 'Me too.' });
      expect((await ticketAs(people.agent, ticketId)).first_response_at).toBe(firstResponse);
    });

    it('moves the ticket’s updated_at with every public message, not with internal notes', async () => {
      const ticketId = await freshTicket();
      for (const person of [people.user, people.agent]) {
        const message = await postMessage(person, ticketId, { content: 'Another line' });
        const ticket = await ticketAs(people.agent, ticketId);
        expect(ticket.updated_at).toBe(message.created_at);
      }
      const before = (await ticketAs(people.user, ticketId)).updated_at;
      await postMessage(people.agent, ticketId, { content: 'Staff only', is_internal: true });
      // The author must not learn from the ticket that staff wrote something they cannot see.
      expect((await ticketAs(people.user, ticketId)).updated_at).toBe(before);
    });
  });

  describe('history of messages', () => {
    it('shows the author message entries without their text, staff with it', async () => {
      const ticketId = await freshTicket();
      const slip = await postMessage(people.agent, ticketId, {
        content: 'Card 4111 1111 1111 1111',
      });
      await call(people.agent, 'PUT', `/messages/${slip.id}`, { content: '[redacted]' });
      const history = async (person: Person) =>
        (await call(person, 'GET', `/tickets/${ticketId}/history`)).json<{
          items: { action: string; before: object | null; after: object | null }[];
        }>().items;
      const forAuthor = await history(people.user);
      expect(forAuthor.map((entry) => entry.action)).toContain('message.updated');
      // The whole card number: four digits alone turn up in random ids.
      expect(JSON.stringify(forAuthor)).not.toContain('4111 1111');
      expect(JSON.stringify(forAuthor)).not.toContain('content');
      expect(JSON.stringify(await history(people.agent))).toContain('4111 1111');
    });
  });

  describe('GET /tickets/:id/messages', () => {
    it('tells the customer which answers come from the support team', async () => {
      const ticketId = await freshTicket();
      await postMessage(people.user, ticketId, { content: 'Hello?' });
      await postMessage(people.agent, ticketId, { content: 'Hi, Artem here.' });
      const page = (await call(people.user, 'GET', `/tickets/${ticketId}/messages`)).json<{
        items: MessageDto[];
      }>();
      expect(page.items.map((item) => [item.author?.id, item.author?.is_staff])).toEqual([
        [people.user.id, false],
        [people.agent.id, true],
      ]);
    });

    it('shows the author the public conversation only and staff the internal notes too', async () => {
      const ticketId = await freshTicket();
      const question = await postMessage(people.user, ticketId, { content: 'Question' });
      const note = await postMessage(people.agent, ticketId, {
        content: 'Internal',
        is_internal: true,
      });
      const answer = await postMessage(people.agent, ticketId, { content: 'Answer' });
      expect((await listAs(people.user, ticketId)).map((message) => message.id)).toEqual([
        question.id,
        answer.id,
      ]);
      for (const person of [people.agent, people.moderator, people.admin, people.owner]) {
        expect((await listAs(person, ticketId)).map((message) => message.id)).toEqual([
          question.id,
          note.id,
          answer.id,
        ]);
      }
    });

    describe('paging', () => {
      let ticketId: string;
      let posted: string[];

      beforeAll(async () => {
        ticketId = await freshTicket();
        posted = [];
        for (let index = 1; index <= 5; index += 1) {
          posted.push((await postMessage(people.user, ticketId, { content: `Line ${index}` })).id);
        }
      });

      async function walk(sort: string): Promise<string[][]> {
        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const query = new URLSearchParams({ limit: '2', sort, ...(cursor ? { cursor } : {}) });
          const response = await call(
            people.user,
            'GET',
            `/tickets/${ticketId}/messages?${query.toString()}`,
          );
          expect(response.statusCode).toBe(200);
          const page = response.json<Page<MessageDto>>();
          pages.push(page.items.map((message) => message.id));
          cursor = page.next_cursor;
        } while (cursor && pages.length < 10);
        return pages;
      }

      it('walks the conversation oldest first in pages of limit, without duplicates', async () => {
        const pages = await walk('created_at');
        expect(pages).toEqual([posted.slice(0, 2), posted.slice(2, 4), posted.slice(4)]);
      });

      it('walks it newest first with sort=-created_at', async () => {
        const newestFirst = [...posted].reverse();
        const pages = await walk('-created_at');
        expect(pages).toEqual([
          newestFirst.slice(0, 2),
          newestFirst.slice(2, 4),
          newestFirst.slice(4),
        ]);
      });

      it('lists oldest first by default', async () => {
        expect((await listAs(people.user, ticketId)).map((message) => message.id)).toEqual(posted);
      });

      it('returns only the fields asked for with fields=', async () => {
        const items = await listAs(people.user, ticketId, '?fields=id,content');
        expect(items).toHaveLength(5);
        for (const item of items)
          expect(new Set(Object.keys(item))).toEqual(new Set(['id', 'content']));
        expect(items[0]).toEqual({ id: posted[0], content: 'Line 1' });
      });

      it('refuses a cursor given out for the other sort with 422', async () => {
        const first = await call(people.user, 'GET', `/tickets/${ticketId}/messages?limit=2`);
        const cursor = first.json<Page<MessageDto>>().next_cursor;
        expect(cursor).not.toBeNull();
        const response = await call(
          people.user,
          'GET',
          `/tickets/${ticketId}/messages?limit=2&sort=-created_at&cursor=${cursor}`,
        );
        expect(response.statusCode).toBe(422);
        expect(response.json<Problem>().errors?.[0]?.field).toBe('query.cursor');
      });

      it.each([
        ['a cursor it never gave out', '?cursor=!!!', 'query.cursor'],
        ['a cursor that is not its own', '?cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
        ['an unknown field name', '?fields=id,secret', 'query.fields'],
        ['a limit over 100', '?limit=101', 'query.limit'],
        ['an unknown sort', '?sort=content', 'query.sort'],
      ])('refuses %s with 422', async (_case, query, field) => {
        const response = await call(people.user, 'GET', `/tickets/${ticketId}/messages${query}`);
        expect(response.statusCode).toBe(422);
        expect(response.json<Problem>().errors?.[0]?.field).toBe(field);
      });
    });

    it('answers 422 naming params.id for a malformed ticket id', async () => {
      const response = await call(people.user, 'GET', '/tickets/123/messages');
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe('params.id');
    });

    it('answers 401 without a token', async () => {
      const ticketId = await freshTicket();
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/tickets/${ticketId}/messages`,
      });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('internal notes and the ticket’s author', () => {
    it('answers the author 404 when editing or deleting an internal note, which stays', async () => {
      const ticketId = await freshTicket();
      const note = await postMessage(people.agent, ticketId, {
        content: 'Staff only',
        is_internal: true,
      });
      const edit = await call(people.user, 'PUT', `/messages/${note.id}`, { content: 'Mine now' });
      expect(edit.statusCode).toBe(404);
      const removal = await call(people.user, 'DELETE', `/messages/${note.id}`);
      expect(removal.statusCode).toBe(404);
      expect(await listAs(people.agent, ticketId)).toEqual([
        expect.objectContaining({ id: note.id, content: 'Staff only' }),
      ]);
    });
  });

  describe('PUT /messages/:id', () => {
    it('lets the author edit their message, setting content and edited_at', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Typo hre' });
      const response = await call(people.user, 'PUT', `/messages/${message.id}`, {
        content: 'Typo <i>here</i>',
      });
      expect(response.statusCode).toBe(200);
      const edited = response.json<MessageDto>();
      expect(edited).toMatchObject({
        id: message.id,
        content: 'Typo here',
        created_at: message.created_at,
        attachments: [],
      });
      expect(edited.edited_at).not.toBeNull();
      expect(new Date(edited.edited_at!).getTime()).toBeGreaterThanOrEqual(
        new Date(message.created_at).getTime(),
      );
      expect(await listAs(people.user, ticketId)).toEqual([edited]);
    });

    it('refuses staff editing a user’s message with 403', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Original' });
      for (const person of [people.agent, people.owner]) {
        const response = await call(person, 'PUT', `/messages/${message.id}`, {
          content: 'Rewritten',
        });
        expect(response.statusCode).toBe(403);
      }
      expect((await listAs(people.user, ticketId))[0]).toMatchObject({
        content: 'Original',
        edited_at: null,
      });
    });

    it('answers another user 404 for a message on a ticket they cannot see', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Private' });
      const response = await call(stranger, 'PUT', `/messages/${message.id}`, {
        content: 'Hijacked',
      });
      expect(response.statusCode).toBe(404);
    });

    it('refuses an edit on a closed ticket with 409', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Before closing' });
      await call(people.agent, 'PUT', `/tickets/${ticketId}/status`, { status: 'closed' });
      const response = await call(people.user, 'PUT', `/messages/${message.id}`, {
        content: 'After closing',
      });
      expect(response.statusCode).toBe(409);
    });

    it.each([
      ['an empty body', {}, 'content'],
      ['markup only', { content: '<br>' }, 'content'],
      ['an unknown field', { content: 'Hi', is_internal: true }, 'is_internal'],
    ])('refuses %s with 422', async (_case, payload, field) => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Kept' });
      const response = await call(people.user, 'PUT', `/messages/${message.id}`, payload);
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors?.[0]?.field).toBe(field);
    });

    it('answers 404 for a message that does not exist and 422 for a malformed id', async () => {
      const missing = await call(
        people.user,
        'PUT',
        '/messages/01a20d14-0000-7000-8000-000000000000',
        { content: 'Hi' },
      );
      expect(missing.statusCode).toBe(404);
      const malformed = await call(people.user, 'PUT', '/messages/nope', { content: 'Hi' });
      expect(malformed.statusCode).toBe(422);
      expect(malformed.json<Problem>().errors?.[0]?.field).toBe('params.id');
    });
  });

  describe('DELETE /messages/:id', () => {
    it('lets the author delete their message', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Never mind' });
      const response = await call(people.user, 'DELETE', `/messages/${message.id}`);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(await listAs(people.agent, ticketId)).toEqual([]);
      const again = await call(people.user, 'DELETE', `/messages/${message.id}`);
      expect(again.statusCode).toBe(404);
    });

    it('refuses an agent deleting someone else’s message with 403', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Keep me' });
      const response = await call(people.agent, 'DELETE', `/messages/${message.id}`);
      expect(response.statusCode).toBe(403);
      expect(await listAs(people.user, ticketId)).toHaveLength(1);
    });

    it('lets a moderator delete anyone’s message', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Spam spam' });
      const note = await postMessage(people.agent, ticketId, {
        content: 'Rude note',
        is_internal: true,
      });
      expect((await call(people.moderator, 'DELETE', `/messages/${message.id}`)).statusCode).toBe(
        204,
      );
      expect((await call(people.moderator, 'DELETE', `/messages/${note.id}`)).statusCode).toBe(204);
      expect(await listAs(people.agent, ticketId)).toEqual([]);
    });

    it('answers another user 404 for a message on a ticket they cannot see', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Private' });
      expect((await call(stranger, 'DELETE', `/messages/${message.id}`)).statusCode).toBe(404);
      expect(await listAs(people.user, ticketId)).toHaveLength(1);
    });
  });

  describe('domain events', () => {
    it('publishes message.created with the content and whether it is internal', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'Event me' });
      const note = await postMessage(people.agent, ticketId, {
        content: 'Quiet note',
        is_internal: true,
      });
      await vi.waitFor(() => {
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'message.created',
            ticket_id: ticketId,
            ticket_user_id: people.user.id,
            actor_id: people.user.id,
            is_internal: false,
            data: expect.objectContaining({
              id: message.id,
              content: 'Event me',
              is_internal: false,
            }),
          }),
        );
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'message.created',
            ticket_id: ticketId,
            actor_id: people.agent.id,
            is_internal: true,
            data: expect.objectContaining({
              id: note.id,
              content: 'Quiet note',
              is_internal: true,
            }),
          }),
        );
      });
    });

    it('publishes ticket.status_changed when the author’s reply reopens a waiting ticket', async () => {
      const ticketId = await freshTicket('waiting');
      await postMessage(people.user, ticketId, { content: 'Here is the log' });
      await vi.waitFor(() =>
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'ticket.status_changed',
            ticket_id: ticketId,
            actor_id: people.user.id,
            changes: expect.objectContaining({ status: { from: 'waiting', to: 'open' } }),
            data: expect.objectContaining({ id: ticketId, status: 'open' }),
          }),
        ),
      );
    });

    it('publishes message.updated and message.deleted', async () => {
      const ticketId = await freshTicket();
      const message = await postMessage(people.user, ticketId, { content: 'First' });
      await call(people.user, 'PUT', `/messages/${message.id}`, { content: 'Second' });
      await call(people.user, 'DELETE', `/messages/${message.id}`);
      await vi.waitFor(() => {
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'message.updated',
            ticket_id: ticketId,
            data: expect.objectContaining({ id: message.id, content: 'Second' }),
          }),
        );
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'message.deleted',
            ticket_id: ticketId,
            data: { id: message.id, ticket_id: ticketId, is_internal: false },
          }),
        );
      });
    });
  });

  describe('GET /tickets/:id/history', () => {
    let ticketId: string;
    let publicId: string;
    let noteId: string;

    beforeAll(async () => {
      ticketId = await freshTicket();
      publicId = (await postMessage(people.user, ticketId, { content: 'Public' })).id;
      await call(people.user, 'PUT', `/messages/${publicId}`, { content: 'Public, edited' });
      noteId = (
        await postMessage(people.agent, ticketId, { content: 'Internal', is_internal: true })
      ).id;
      await call(people.agent, 'PUT', `/messages/${noteId}`, { content: 'Internal, edited' });
      await call(people.moderator, 'DELETE', `/messages/${noteId}`);
      await call(people.user, 'DELETE', `/messages/${publicId}`);
    });

    async function historyAs(person: Person): Promise<AuditEntryDto[]> {
      const response = await call(person, 'GET', `/tickets/${ticketId}/history?limit=100`);
      expect(response.statusCode).toBe(200);
      return response.json<Page<AuditEntryDto>>().items;
    }

    const messageEntries = (entries: AuditEntryDto[], id: string) =>
      entries.filter((entry) => entry.entity_id === id).map((entry) => entry.action);

    it('shows staff every message’s created, updated and deleted entries, newest first', async () => {
      const entries = await historyAs(people.agent);
      expect(messageEntries(entries, publicId)).toEqual([
        'message.deleted',
        'message.updated',
        'message.created',
      ]);
      expect(messageEntries(entries, noteId)).toEqual([
        'message.deleted',
        'message.updated',
        'message.created',
      ]);
      const publicEdit = entries.find(
        (entry) => entry.entity_id === publicId && entry.action === 'message.updated',
      );
      expect(publicEdit).toMatchObject({
        entity_type: 'message',
        before: { content: 'Public' },
        after: { content: 'Public, edited' },
      });
    });

    it('shows the ticket’s author the public message’s entries but none of the note’s', async () => {
      const entries = await historyAs(people.user);
      expect(messageEntries(entries, publicId)).toEqual([
        'message.deleted',
        'message.updated',
        'message.created',
      ]);
      expect(messageEntries(entries, noteId)).toEqual([]);
      expect(JSON.stringify(entries)).not.toContain('Internal');
    });

    it('answers 404 to a user who did not open the ticket', async () => {
      const response = await call(stranger, 'GET', `/tickets/${ticketId}/history`);
      expect(response.statusCode).toBe(404);
    });
  });
});
