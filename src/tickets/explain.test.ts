import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTickets } from '../../bench/seed-tickets.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import type { Principal } from '../auth/service.js';
import type { TicketListQuery } from './schemas.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('the ticket list queries on 100,000 tickets', () => {
  let t: TestApp;
  let agent: Principal;
  let customer: Principal;
  let someTicketCursor: string;

  beforeAll(async () => {
    t = await createTestApp();
    await seedTickets(t.container.database, 100_000);
    const staff = await t.container.database.executeSql(
      "select id from users where role = 'agent' order by id limit 1",
    );
    const author = await t.container.database.executeSql(
      'select user_id from tickets group by user_id order by count(*) desc limit 1',
    );
    agent = { userId: String(staff.rows[0]?.id), role: 'agent', sessionId: 'explain' };
    customer = { userId: String(author.rows[0]?.user_id), role: 'user', sessionId: 'explain' };
    const first = await t.container.tickets.list(agent, { sort: '-created_at', limit: 20 });
    someTicketCursor = first.next_cursor ?? '';
  }, 180_000);
  afterAll(() => t.close());

  const category = async () =>
    String(
      (await t.container.database.executeSql('select id from categories limit 1')).rows[0]?.id,
    );

  const cases: [string, () => Principal, () => Promise<Omit<TicketListQuery, 'limit'>>][] = [
    ['staff: newest first', () => agent, async () => ({ sort: '-created_at' })],
    ['staff: oldest first', () => agent, async () => ({ sort: 'created_at' })],
    [
      'staff: second page',
      () => agent,
      async () => ({ sort: '-created_at', cursor: someTicketCursor }),
    ],
    ['staff: recently updated', () => agent, async () => ({ sort: '-updated_at' })],
    ['staff: most urgent', () => agent, async () => ({ sort: '-priority' })],
    ['staff: open tickets', () => agent, async () => ({ sort: '-created_at', status: ['open'] })],
    [
      'staff: open or waiting, recently updated',
      () => agent,
      async () => ({ sort: '-updated_at', status: ['open', 'waiting'] }),
    ],
    ['staff: critical', () => agent, async () => ({ sort: '-created_at', priority: ['critical'] })],
    ['staff: mine', () => agent, async () => ({ sort: '-created_at', assigned_to: 'me' })],
    [
      'staff: unassigned queue',
      () => agent,
      async () => ({ sort: '-created_at', assigned_to: 'none' }),
    ],
    [
      'staff: one category',
      () => agent,
      async () => ({ sort: '-created_at', category_id: await category() }),
    ],
    [
      'staff: one author',
      () => agent,
      async () => ({ sort: '-created_at', user_id: customer.userId }),
    ],
    [
      'staff: last week',
      () => agent,
      async () => ({
        sort: '-created_at',
        created_from: new Date(Date.now() - 7 * 86_400_000).toISOString(),
      }),
    ],
    ['staff: search in English', () => agent, async () => ({ sort: '-created_at', q: 'printer' })],
    ['staff: search in Russian', () => agent, async () => ({ sort: '-created_at', q: 'принтеры' })],
    ['staff: search by number', () => agent, async () => ({ sort: '-created_at', q: '#4242' })],
    ['user: own tickets', () => customer, async () => ({ sort: '-created_at' })],
    [
      'user: own open tickets',
      () => customer,
      async () => ({ sort: '-updated_at', status: ['open'] }),
    ],
    ['user: own search', () => customer, async () => ({ sort: '-created_at', q: 'printer' })],
  ];

  /** The plan of `statement`'s SQL, every node of it. */
  async function planOf(statement: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
    const result = await t.container.database.executeSql(
      `explain (format json) ${statement.sql}`,
      statement.params,
    );
    return nodesOf((result.rows[0]?.['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan);
  }

  /** The statements a search runs: the near page, and when it is not full, the others. */
  async function searchSteps(actor: Principal, query: TicketListQuery) {
    const { near, windowSize, found } = t.container.tickets.searchQueries(actor, query);
    if ((await near).length > query.limit) return [near];
    const [window] = await windowSize;
    return (window?.size ?? 0) < 1000 ? [near, windowSize] : [near, windowSize, found];
  }

  it.each(cases)('uses an index, never a sequential scan: %s', async (_name, actor, query) => {
    const listQuery = { limit: 20, ...(await query()) };
    // A search runs in steps (tickets/queries.ts `searchQueries`): each that runs uses an index.
    const statements = listQuery.q
      ? await searchSteps(actor(), listQuery)
      : [t.container.tickets.listQuery(actor(), listQuery)];
    for (const statement of statements) {
      const nodes = await planOf(statement.toSQL());
      const scans = nodes.filter((node) => node['Relation Name'] === 'tickets');
      expect(scans.length).toBeGreaterThan(0);
      expect(
        scans.filter((node) => node['Node Type'] === 'Seq Scan'),
        JSON.stringify(nodes[0], null, 1),
      ).toEqual([]);
    }
  });

  it('looks up a search with no match near the top of the list through the words’ index', async () => {
    const { found } = t.container.tickets.searchQueries(agent, {
      sort: '-created_at',
      limit: 20,
      q: 'printer zzzunmatched',
    });
    const nodes = await planOf(found.toSQL());
    expect(
      nodes.some((node) => node['Index Name'] === 'tickets_search_idx'),
      JSON.stringify(nodes[0], null, 1),
    ).toBe(true);
    const page = await t.container.tickets.list(agent, {
      sort: '-created_at',
      limit: 20,
      q: 'printer zzzunmatched',
    });
    expect(page.items).toEqual([]);
    // Far below the first thousand in list order, still found, and paged on from there.
    const number = 50_000;
    const byNumber = await t.container.tickets.list(agent, {
      sort: '-created_at',
      limit: 20,
      q: `#${number}`,
    });
    expect(byNumber.items.map((ticket) => ticket.number)).toContain(number);
    const printers = await t.container.tickets.list(agent, {
      sort: 'created_at',
      limit: 2,
      q: 'printer',
    });
    const next = await t.container.tickets.list(agent, {
      sort: 'created_at',
      limit: 2,
      q: 'printer',
      cursor: printers.next_cursor ?? undefined,
    });
    const both = await t.container.tickets.list(agent, {
      sort: 'created_at',
      limit: 4,
      q: 'printer',
    });
    expect([...printers.items, ...next.items].map((ticket) => ticket.id)).toEqual(
      both.items.map((ticket) => ticket.id),
    );
  });

  it('answers the first page of every case with real rows', async () => {
    const page = await t.container.tickets.list(agent, {
      sort: '-created_at',
      limit: 20,
      q: 'printer',
    });
    expect(page.items).toHaveLength(20);
    const own = await t.container.tickets.list(customer, { sort: '-created_at', limit: 100 });
    expect(own.items.every((ticket) => ticket.user_id === customer.userId)).toBe(true);
  });
});
