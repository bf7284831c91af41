import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { multipartBody, pdfBytes } from '../../test/multipart.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';

/** Who calls: nobody, the ticket's author, another user, and each staff role. */
const callers = [
  'anonymous',
  'author',
  'other_user',
  'agent',
  'moderator',
  'admin',
  'owner',
] as const;
type Caller = (typeof callers)[number];

/** What each cell's request works on, made fresh for every cell. */
interface Fixture {
  ticket: string;
  authorMessage: string;
  internalNote: string;
  spareCategory: string;
  target: string;
  /** A file the author sent in their message. */
  authorFile: string;
  /** The file of the internal note. */
  noteFile: string;
}

interface Row {
  name: string;
  request: (f: Fixture) => {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    payload?: object | Buffer;
    headers?: Record<string, string>;
  };
  /** Expected status per caller, in the order of `callers`. */
  expected: [number, number, number, number, number, number, number];
}

describe('who may do what: every endpoint as every role', () => {
  let t: TestApp;
  let people: Record<Exclude<Caller, 'anonymous'>, Person>;
  let noteAuthor: Person;
  let category: string;
  /** A shared canned reply, and another agent's personal one (made once: no row deletes them). */
  const canned = { shared: '', othersPersonal: '' };

  beforeAll(async () => {
    // Every cell signs someone in and makes a fixture; the rate limits are tested elsewhere.
    t = await createTestApp({
      env: { RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX: '100000', UPLOAD_RATE_LIMIT: '100000' },
    });
    people = {
      author: await signInAs(t, 'user'),
      other_user: await signInAs(t, 'user'),
      agent: await signInAs(t, 'agent'),
      moderator: await signInAs(t, 'moderator'),
      admin: await signInAs(t, 'admin'),
      owner: await signInAs(t, 'owner'),
    };
    noteAuthor = await signInAs(t, 'agent');
    category = await addCategory(t);
    const as = (person: Person) => ({ userId: person.id, role: person.role, sessionId: 'rbac' });
    const reply = { title: 'Thanks', body: 'Thank you!', language: 'any' as const };
    canned.shared = (
      await t.container.cannedReplies.create(as(people.moderator), {
        ...reply,
        shortcut: 'thanks',
        scope: 'shared',
      })
    ).id;
    canned.othersPersonal = (
      await t.container.cannedReplies.create(as(noteAuthor), {
        ...reply,
        shortcut: 'mine',
        scope: 'personal',
      })
    ).id;
  });
  afterAll(() => t.close());

  async function fixture(): Promise<Fixture> {
    const ticket = await openTicket(t, people.author, category);
    const post = async (person: Person, payload: object) =>
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/tickets/${ticket.id}/messages`,
          headers: person.headers,
          payload,
        })
      ).json<{ id: string }>().id;
    const target = await signInAs(t, 'user');
    const uploadPdf = async (person: Person) => {
      const principal = { userId: person.id, role: person.role, sessionId: 'rbac' };
      const [item] = await t.container.files.upload(principal, ticket.id, [
        { file: Readable.from([pdfBytes()]), filename: 'a.pdf' },
      ]);
      return item?.id ?? '';
    };
    // Both files are sent in a message, as people do: files left waiting count against a cap.
    const noteFile = await uploadPdf(noteAuthor);
    const authorFile = await uploadPdf(people.author);
    return {
      ticket: ticket.id,
      authorMessage: await post(people.author, {
        content: 'Any news?',
        attachment_ids: [authorFile],
      }),
      internalNote: await post(noteAuthor, {
        content: 'Customer is on the old plan',
        is_internal: true,
        attachment_ids: [noteFile],
      }),
      authorFile,
      noteFile,
      spareCategory: await addCategory(t),
      target: target.id,
    };
  }

  const user = () => people.author.id;
  const pdfUpload = multipartBody([{ name: 'a.pdf', bytes: pdfBytes() }]);
  //                                                     anon author other agent  mod admin owner
  const rows: Row[] = [
    {
      name: 'GET /tickets',
      request: () => ({ method: 'GET', url: '/tickets' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'GET /tickets/counts',
      request: () => ({ method: 'GET', url: '/tickets/counts' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'POST /tickets',
      request: () => ({
        method: 'POST',
        url: '/tickets',
        payload: { category_id: category, title: 'New', description: 'Help' },
      }),
      expected: [401, 201, 201, 201, 201, 201, 201],
    },
    {
      name: 'GET /tickets/:id',
      request: (f) => ({ method: 'GET', url: `/tickets/${f.ticket}` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'PUT /tickets/:id (priority)',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}`,
        payload: { priority: 'high' },
      }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'PUT /tickets/:id (title)',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}`,
        payload: { title: 'Reworded' },
      }),
      expected: [401, 200, 404, 403, 403, 403, 403],
    },
    {
      name: 'PUT /tickets/:id (category)',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}`,
        payload: { category_id: f.spareCategory },
      }),
      expected: [401, 403, 404, 200, 200, 200, 200],
    },
    {
      name: 'DELETE /tickets/:id',
      request: (f) => ({ method: 'DELETE', url: `/tickets/${f.ticket}` }),
      expected: [401, 403, 403, 403, 403, 204, 204],
    },
    {
      name: 'PUT /tickets/:id/assign',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}/assign`,
        payload: { assigned_to: people.agent.id },
      }),
      expected: [401, 403, 403, 200, 200, 200, 200],
    },
    {
      name: 'PUT /tickets/:id/status (close)',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}/status`,
        payload: { status: 'closed' },
      }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'PUT /tickets/:id/status (in_progress)',
      request: (f) => ({
        method: 'PUT',
        url: `/tickets/${f.ticket}/status`,
        payload: { status: 'in_progress' },
      }),
      expected: [401, 403, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /tickets/:id/history',
      request: (f) => ({ method: 'GET', url: `/tickets/${f.ticket}/history` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /tickets/:id/messages',
      request: (f) => ({ method: 'GET', url: `/tickets/${f.ticket}/messages` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'POST /tickets/:id/messages',
      request: (f) => ({
        method: 'POST',
        url: `/tickets/${f.ticket}/messages`,
        payload: { content: 'Hi' },
      }),
      expected: [401, 201, 404, 201, 201, 201, 201],
    },
    {
      name: 'POST /tickets/:id/messages (internal)',
      request: (f) => ({
        method: 'POST',
        url: `/tickets/${f.ticket}/messages`,
        payload: { content: 'Note', is_internal: true },
      }),
      expected: [401, 403, 403, 201, 201, 201, 201],
    },
    {
      name: 'PUT /messages/:id (author’s)',
      request: (f) => ({
        method: 'PUT',
        url: `/messages/${f.authorMessage}`,
        payload: { content: 'Edited' },
      }),
      expected: [401, 200, 404, 403, 403, 403, 403],
    },
    {
      name: 'DELETE /messages/:id (author’s)',
      request: (f) => ({ method: 'DELETE', url: `/messages/${f.authorMessage}` }),
      expected: [401, 204, 404, 403, 204, 204, 204],
    },
    {
      name: 'PUT /messages/:id (internal note)',
      request: (f) => ({
        method: 'PUT',
        url: `/messages/${f.internalNote}`,
        payload: { content: 'Edited' },
      }),
      expected: [401, 404, 404, 403, 403, 403, 403],
    },
    {
      name: 'DELETE /messages/:id (internal note)',
      request: (f) => ({ method: 'DELETE', url: `/messages/${f.internalNote}` }),
      expected: [401, 404, 404, 403, 204, 204, 204],
    },
    {
      name: 'GET /categories',
      request: () => ({ method: 'GET', url: '/categories' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'GET /categories?include_inactive',
      request: () => ({ method: 'GET', url: '/categories?include_inactive=true' }),
      expected: [401, 403, 403, 200, 200, 200, 200],
    },
    {
      name: 'GET /categories/:id',
      request: (f) => ({ method: 'GET', url: `/categories/${f.spareCategory}` }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'POST /categories',
      request: () => ({
        method: 'POST',
        url: '/categories',
        payload: { name: `Cat ${Math.random()}` },
      }),
      expected: [401, 403, 403, 403, 403, 201, 201],
    },
    {
      name: 'PUT /categories/:id',
      request: (f) => ({
        method: 'PUT',
        url: `/categories/${f.spareCategory}`,
        payload: { icon: '🧾' },
      }),
      expected: [401, 403, 403, 403, 403, 200, 200],
    },
    {
      name: 'DELETE /categories/:id',
      request: (f) => ({ method: 'DELETE', url: `/categories/${f.spareCategory}` }),
      expected: [401, 403, 403, 403, 403, 204, 204],
    },
    {
      name: 'GET /users',
      request: () => ({ method: 'GET', url: '/users' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /users/export',
      request: () => ({ method: 'GET', url: '/users/export?format=csv' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /users (active staff)',
      request: () => ({ method: 'GET', url: '/users?role=agent&is_active=true' }),
      expected: [401, 403, 403, 200, 200, 200, 200],
    },
    {
      name: 'GET /users/:id',
      request: () => ({ method: 'GET', url: `/users/${user()}` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /users/:id/tickets',
      request: () => ({ method: 'GET', url: `/users/${user()}/tickets` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /users/:id/activity',
      request: () => ({ method: 'GET', url: `/users/${user()}/activity` }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'PUT /users/:id/role',
      request: (f) => ({
        method: 'PUT',
        url: `/users/${f.target}/role`,
        payload: { role: 'agent' },
      }),
      expected: [401, 403, 403, 403, 403, 200, 200],
    },
    {
      name: 'PUT /users/:id/status',
      request: (f) => ({
        method: 'PUT',
        url: `/users/${f.target}/status`,
        payload: { is_active: false },
      }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /notifications',
      request: () => ({ method: 'GET', url: '/notifications' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'GET /notifications/unread-count',
      request: () => ({ method: 'GET', url: '/notifications/unread-count' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      name: 'PUT /notifications/read-all',
      request: () => ({ method: 'PUT', url: '/notifications/read-all' }),
      expected: [401, 200, 200, 200, 200, 200, 200],
    },
    {
      // Nobody's notification: every signed-in caller gets the same 404 as for someone else's.
      name: 'PUT /notifications/:id/read (not theirs)',
      request: () => ({
        method: 'PUT',
        url: '/notifications/00000000-0000-7000-8000-000000000000/read',
      }),
      expected: [401, 404, 404, 404, 404, 404, 404],
    },
    {
      name: 'POST /tickets/:id/attachments',
      request: (f) => ({ method: 'POST', url: `/tickets/${f.ticket}/attachments`, ...pdfUpload }),
      expected: [401, 201, 404, 201, 201, 201, 201],
    },
    {
      name: 'POST /attachments',
      request: () => ({ method: 'POST', url: '/attachments', ...pdfUpload }),
      expected: [401, 201, 201, 201, 201, 201, 201],
    },
    {
      name: 'GET /tickets/:id/attachments',
      request: (f) => ({ method: 'GET', url: `/tickets/${f.ticket}/attachments` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /files/:id (the author’s file)',
      request: (f) => ({ method: 'GET', url: `/files/${f.authorFile}` }),
      expected: [401, 200, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /files/:id (an internal note’s file)',
      request: (f) => ({ method: 'GET', url: `/files/${f.noteFile}` }),
      expected: [401, 404, 404, 200, 200, 200, 200],
    },
    {
      name: 'GET /settings',
      request: () => ({ method: 'GET', url: '/settings' }),
      expected: [401, 403, 403, 403, 403, 200, 200],
    },
    {
      name: 'PUT /settings',
      request: () => ({
        method: 'PUT',
        url: '/settings',
        payload: { auto_close: { after_days: 0 } },
      }),
      expected: [401, 403, 403, 403, 403, 200, 200],
    },
    {
      name: 'PUT /auth/profile (on_duty)',
      request: () => ({ method: 'PUT', url: '/auth/profile', payload: { on_duty: true } }),
      expected: [401, 403, 403, 200, 200, 200, 200],
    },
    {
      name: 'GET /canned-replies',
      request: () => ({ method: 'GET', url: '/canned-replies' }),
      expected: [401, 403, 403, 200, 200, 200, 200],
    },
    {
      name: 'POST /canned-replies (personal)',
      request: () => ({
        method: 'POST',
        url: '/canned-replies',
        payload: { title: 'Hi', shortcut: `hi${Math.random().toString(36).slice(2)}`, body: 'Hi' },
      }),
      expected: [401, 403, 403, 201, 201, 201, 201],
    },
    {
      name: 'POST /canned-replies (shared)',
      request: () => ({
        method: 'POST',
        url: '/canned-replies',
        payload: {
          title: 'Hi',
          shortcut: `hi${Math.random().toString(36).slice(2)}`,
          body: 'Hi',
          scope: 'shared',
        },
      }),
      expected: [401, 403, 403, 403, 201, 201, 201],
    },
    {
      name: 'PATCH /canned-replies/:id (shared)',
      request: () => ({
        method: 'PATCH',
        url: `/canned-replies/${canned.shared}`,
        payload: { title: 'Thank you' },
      }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /canned-replies/:id (another’s personal)',
      request: () => ({ method: 'GET', url: `/canned-replies/${canned.othersPersonal}` }),
      expected: [401, 403, 403, 404, 404, 404, 404],
    },
    {
      name: 'GET /stats/overview',
      request: () => ({ method: 'GET', url: '/stats/overview' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /stats/timeseries',
      request: () => ({ method: 'GET', url: '/stats/timeseries' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /stats/breakdown',
      request: () => ({ method: 'GET', url: '/stats/breakdown?by=category' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /stats/heatmap',
      request: () => ({ method: 'GET', url: '/stats/heatmap' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /stats/staff',
      request: () => ({ method: 'GET', url: '/stats/staff' }),
      expected: [401, 403, 403, 403, 200, 200, 200],
    },
    {
      name: 'GET /files/:id/preview (not an image)',
      request: (f) => ({ method: 'GET', url: `/files/${f.authorFile}/preview` }),
      expected: [401, 404, 404, 404, 404, 404, 404],
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const actual: number[] = [];
    for (const caller of callers) {
      const request = row.request(await fixture());
      const response = await t.app.inject({
        method: request.method,
        url: `/api/v1${request.url}`,
        headers: {
          ...request.headers,
          ...(caller === 'anonymous' ? {} : people[caller].headers),
        },
        ...(request.payload ? { payload: request.payload } : {}),
      });
      if (response.statusCode >= 400) {
        expect(response.headers['content-type'], `${caller}: ${response.body}`).toContain(
          'application/problem+json',
        );
      }
      actual.push(response.statusCode);
    }
    const table = (codes: readonly number[]) =>
      Object.fromEntries(callers.map((caller, index) => [caller, codes[index]]));
    expect(table(actual)).toEqual(table(row.expected));
  });
});
