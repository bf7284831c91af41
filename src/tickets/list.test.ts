import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';

interface Item {
  id: string;
  number: number;
  title: string;
  status: string;
  priority: string;
  user_id: string;
  assigned_to: string | null;
  category_id: string;
  created_at: string;
  updated_at: string;
}
const byText = (a: string, b: string) => a.localeCompare(b);

interface Page {
  items: Item[];
  next_cursor: string | null;
}

describe('GET /tickets', () => {
  let t: TestApp;
  let alice: Person;
  let bob: Person;
  let agent: Person;
  let hardware: string;
  let billing: string;
  const opened: Record<string, { id: string; number: number }> = {};

  const list = async (person: Person, query = '') => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets${query}`,
      headers: person.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };
  const titles = async (person: Person, query: string) =>
    (await list(person, query)).items.map((item) => item.title).sort(byText);

  beforeAll(async () => {
    t = await createTestApp();
    alice = await signInAs(t, 'user', { first_name: 'Alice' });
    bob = await signInAs(t, 'user', { first_name: 'Bob' });
    agent = await signInAs(t, 'agent');
    hardware = await addCategory(t, { name: 'Hardware' });
    billing = await addCategory(t, { name: 'Billing' });
    const open = async (
      key: string,
      person: Person,
      category: string,
      title: string,
      description: string,
      priority = 'normal',
    ) => {
      opened[key] = await openTicket(t, person, category, { title, description, priority });
    };
    await open(
      'printer',
      alice,
      hardware,
      'Принтеры не печатают',
      'В бухгалтерии с понедельника',
      'high',
    );
    await open(
      'refund',
      alice,
      billing,
      'Refund for a double charge',
      'I was charged twice in March',
      'critical',
    );
    await open(
      'laptop',
      bob,
      hardware,
      'Laptop overheating',
      'The fan is loud and printing is slow',
      'low',
    );
    await open('invoice', bob, billing, 'Нужен счёт для компании', 'Пришлите счёт на оплату');
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tickets/${opened.laptop?.id}/assign`,
      headers: agent.headers,
      payload: { assigned_to: agent.id },
    });
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tickets/${opened.invoice?.id}/status`,
      headers: agent.headers,
      payload: { status: 'waiting' },
    });
  });
  afterAll(() => t.close());

  it('shows a user only their own tickets, newest first', async () => {
    const page = await list(alice);
    expect(page.items.map((item) => item.title)).toEqual([
      'Refund for a double charge',
      'Принтеры не печатают',
    ]);
    expect(page.items.every((item) => item.user_id === alice.id)).toBe(true);
    expect(page.next_cursor).toBeNull();
  });

  it('shows staff every ticket', async () => {
    expect((await list(agent)).items).toHaveLength(4);
    // Something typed but nothing searchable matches nothing; nothing typed filters nothing.
    expect(await titles(agent, `?q=${encodeURIComponent('!!!')}`)).toEqual([]);
    expect(await titles(agent, '?q=%20%20')).toHaveLength(4);
  });

  it('filters by status (repeated or comma-separated), priority and category', async () => {
    expect(await titles(agent, '?status=waiting')).toEqual(['Нужен счёт для компании']);
    expect(await titles(agent, '?status=waiting&status=open')).toHaveLength(4);
    expect(await titles(agent, '?status=waiting,in_progress')).toEqual(['Нужен счёт для компании']);
    expect(await titles(agent, '?priority=critical,low')).toEqual([
      'Laptop overheating',
      'Refund for a double charge',
    ]);
    expect(await titles(agent, `?category_id=${billing}`)).toEqual(
      ['Refund for a double charge', 'Нужен счёт для компании'].sort(byText),
    );
  });

  it('filters by assignee: a user id, me, or none', async () => {
    expect(await titles(agent, '?assigned_to=me')).toEqual(['Laptop overheating']);
    expect(await titles(agent, `?assigned_to=${agent.id}`)).toEqual(['Laptop overheating']);
    expect(await titles(agent, '?assigned_to=none')).toHaveLength(3);
  });

  it('filters by author for staff, and refuses a user asking for someone else’s', async () => {
    expect(await titles(agent, `?user_id=${bob.id}`)).toEqual([
      'Laptop overheating',
      'Нужен счёт для компании',
    ]);
    expect(await titles(alice, `?user_id=${alice.id}`)).toHaveLength(2);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets?user_id=${bob.id}`,
      headers: alice.headers,
    });
    expect(response.statusCode).toBe(403);
  });

  it('filters by creation time', async () => {
    const all = (await list(agent, '?sort=created_at')).items;
    const third = all[2];
    if (!third) throw new Error('expected four tickets');
    expect(await list(agent, `?created_from=${third.created_at}`)).toMatchObject({
      items: [{ id: all[3]?.id }, { id: third.id }],
    });
    expect((await list(agent, `?created_to=${third.created_at}`)).items).toHaveLength(2);
    expect((await list(agent, '?created_from=2999-01-01T00:00:00Z')).items).toHaveLength(0);
  });

  it('searches Russian and English text by word stems and by prefix as you type', async () => {
    expect(await titles(agent, `?q=${encodeURIComponent('принтер')}`)).toEqual([
      'Принтеры не печатают',
    ]);
    expect(await titles(agent, `?q=${encodeURIComponent('печата')}`)).toEqual([
      'Принтеры не печатают',
    ]);
    expect(await titles(agent, `?q=${encodeURIComponent('бухгалтери')}`)).toEqual([
      'Принтеры не печатают',
    ]);
    expect(await titles(agent, `?q=${encodeURIComponent('счета')}`)).toEqual([
      'Нужен счёт для компании',
    ]);
    expect(await titles(agent, '?q=charges')).toEqual(['Refund for a double charge']);
    expect(await titles(agent, '?q=overh')).toEqual(['Laptop overheating']);
    expect(await titles(agent, '?q=print')).toEqual(['Laptop overheating']);
    expect(await titles(agent, '?q=REFUND%20march')).toEqual(['Refund for a double charge']);
    expect(await titles(agent, '?q=refund%20laptop')).toEqual([]);
    expect(await titles(alice, '?q=laptop')).toEqual([]);
  });

  it('finds a ticket by its number', async () => {
    const number = opened.refund?.number ?? 0;
    expect(await titles(agent, `?q=${encodeURIComponent('#' + String(number))}`)).toEqual([
      'Refund for a double charge',
    ]);
    expect(await titles(agent, `?q=${number}`)).toContain('Refund for a double charge');
  });

  it('treats hostile search text as words, never as SQL or query syntax', async () => {
    for (const q of ["' OR 1=1--", "'); drop table tickets;--", '!!!&|:*()', '\\', '<script>']) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/tickets?q=${encodeURIComponent(q)}`,
        headers: agent.headers,
      });
      expect(response.statusCode, q).toBe(200);
    }
    expect(await titles(agent, `?q=${encodeURIComponent("' OR 1=1--")}`)).toEqual([]);
    expect((await list(agent)).items).toHaveLength(4);
  });

  it('sorts by creation, update and priority in both directions', async () => {
    const order = async (sort: string) =>
      (await list(agent, `?sort=${sort}`)).items.map((item) => item.title);
    const byCreation = await order('created_at');
    expect(byCreation[0]).toBe('Принтеры не печатают');
    expect(await order('-created_at')).toEqual([...byCreation].reverse());
    expect((await order('-priority'))[0]).toBe('Refund for a double charge');
    expect((await order('priority'))[0]).toBe('Laptop overheating');
    expect((await order('-updated_at'))[0]).toBe('Нужен счёт для компании');
  });

  it('returns only the fields asked for', async () => {
    const page = await list(agent, '?fields=id,number,status&limit=1');
    expect(Object.keys(page.items[0] ?? {}).sort(byText)).toEqual(['id', 'number', 'status']);
  });

  it.each([
    ['limit=-1', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['cursor=!!!', 'query.cursor'],
    ['cursor=eyJub3QiOiJvdXJzIn0', 'query.cursor'],
    // Well-formed cursors of this sort whose values their columns cannot hold.
    ['cursor=eyJzIjoidGlja2V0czotY3JlYXRlZF9hdCIsImsiOlsibm90YWRhdGUiLCJ4Il19', 'query.cursor'],
    [
      'cursor=eyJzIjoidGlja2V0czotY3JlYXRlZF9hdCIsImsiOls1LCIwMWEyMGQxNC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDAiXX0',
      'query.cursor',
    ],
    [
      'sort=-priority&cursor=eyJzIjoidGlja2V0czotcHJpb3JpdHkiLCJrIjpbInVyZ2VudCIsIjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWiIsIjAxYTIwZDE0LTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMCJdfQ',
      'query.cursor',
    ],
    ['sort=;drop', 'query.sort'],
    ['status=done', 'query.status'],
    ['priority=urgent', 'query.priority'],
    ['category_id=1%20or%201=1', 'query.category_id'],
    ['assigned_to=someone', 'query.assigned_to'],
    ['created_from=yesterday', 'query.created_from'],
    // Times PostgreSQL cannot hold, or dates that do not exist.
    ['created_from=0000-01-01T00:00:00Z', 'query.created_from'],
    ['created_to=9999-12-31T23:59:59-23:59', 'query.created_to'],
    [
      'cursor=eyJzIjoidGlja2V0czotY3JlYXRlZF9hdCIsImsiOlsiMjAyNC0wMi0zMVQwMDowMDowMC4wMDBaIiwiMDFhMjBkMTQtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl19',
      'query.cursor',
    ],
    [
      'cursor=eyJzIjoidGlja2V0czotY3JlYXRlZF9hdCIsImsiOlsiMDAwMC0wMS0wMVQwMDowMDowMC4wMDBaIiwiMDFhMjBkMTQtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl19',
      'query.cursor',
    ],
    ['fields=id,password', 'query.fields'],
    ['q=' + 'x'.repeat(201), 'query.q'],
    ['unknown=1', 'query.unknown'],
  ])('refuses %s with a 422 problem naming %s', async (query, field) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets?${query}`,
      headers: agent.headers,
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    // A repeatable parameter names the offending value's position, e.g. query.status.0.
    expect(fields.some((name) => name === field || name.startsWith(`${field}.`))).toBe(true);
  });

  it('returns only the fields asked for of history and activity entries', async () => {
    const history = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${opened.laptop?.id}/history?fields=action,actor_id`,
      headers: agent.headers,
    });
    const entries = history.json<{ items: Record<string, unknown>[] }>().items;
    expect(entries.map((entry) => Object.keys(entry).sort(byText))).toEqual([
      ['action', 'actor_id'],
      ['action', 'actor_id'],
    ]);
  });

  it('refuses a cursor made for another list', async () => {
    const history = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${opened.laptop?.id}/history?limit=1`,
      headers: agent.headers,
    });
    const cursor = history.json<Page>().next_cursor;
    expect(cursor).toBeTruthy();
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets?cursor=${cursor}`,
      headers: agent.headers,
    });
    expect(response.statusCode).toBe(422);
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await list(agent, '?limit=1&sort=-created_at');
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets?limit=1&sort=priority&cursor=${first.next_cursor}`,
      headers: agent.headers,
    });
    expect(response.statusCode).toBe(422);
  });

  describe('GET /tickets/counts', () => {
    it('counts what the caller may see, by status, with the list’s filters', async () => {
      const counts = async (person: Person, query = '') =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/v1/tickets/counts${query}`,
            headers: person.headers,
          })
        ).json<Record<string, number>>();
      expect(await counts(agent)).toEqual({
        open: 3,
        in_progress: 0,
        waiting: 1,
        resolved: 0,
        closed: 0,
        total: 4,
      });
      expect(await counts(alice)).toMatchObject({ open: 2, waiting: 0, total: 2 });
      expect(await counts(agent, '?assigned_to=me')).toMatchObject({ open: 1, total: 1 });
      expect(await counts(agent, `?category_id=${billing}`)).toMatchObject({
        waiting: 1,
        total: 2,
      });

      // Counts are kept between changes (tickets/counts-cache.ts); a change moves them at once.
      const ticket = await openTicket(t, alice, hardware, { title: 'Counted at once' });
      expect(await counts(agent)).toMatchObject({ open: 4, total: 5 });
      expect(await counts(alice)).toMatchObject({ open: 3, total: 3 });
      const resolved = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/tickets/${ticket.id}/status`,
        headers: agent.headers,
        payload: { status: 'resolved' },
      });
      expect(resolved.statusCode).toBe(200);
      expect(await counts(agent)).toMatchObject({ open: 3, resolved: 1, total: 5 });
      expect(await counts(alice)).toMatchObject({ open: 2, resolved: 1, total: 3 });
    });
  });

  describe('GET /users/:id/tickets', () => {
    it('lists a user’s tickets for staff and for themself, 404 for anyone else', async () => {
      const path = `/api/v1/users/${bob.id}/tickets`;
      const asAgent = await t.app.inject({ method: 'GET', url: path, headers: agent.headers });
      expect(asAgent.json<Page>().items).toHaveLength(2);
      const asBob = await t.app.inject({ method: 'GET', url: path, headers: bob.headers });
      expect(asBob.json<Page>().items).toHaveLength(2);
      const asAlice = await t.app.inject({ method: 'GET', url: path, headers: alice.headers });
      expect(asAlice.statusCode).toBe(404);
      const unknown = await t.app.inject({
        method: 'GET',
        url: '/api/v1/users/01a20d14-0000-7000-8000-000000000000/tickets',
        headers: agent.headers,
      });
      expect(unknown.statusCode).toBe(404);
    });
  });
});
