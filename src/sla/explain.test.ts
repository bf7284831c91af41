import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTickets } from '../../bench/seed-tickets.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import type { Principal } from '../auth/service.js';
import type { TicketListQuery } from '../tickets/schemas.js';

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

const now = new Date('2026-03-02T12:00:00.000Z');

describe('the SLA queries on 100,000 tickets', () => {
  let t: TestApp;
  let agent: Principal;

  beforeAll(async () => {
    t = await createTestApp();
    await seedTickets(t.container.database, 100_000);
    // As a long-running install has them: most tickets done (met, or opened before any target),
    // a few hundred pending, some overdue.
    await t.container.database.executeSql(`
      update tickets set
        sla_state = (case when number % 50 = 0 and status in ('open', 'in_progress') then 'ok' when number % 97 = 0 then 'breached'
          when number % 3 = 0 then 'met' else null end)::sla_state,
        sla_due_at = case when number % 50 = 0 and status in ('open', 'in_progress')
          then '2026-03-02T12:00:00Z'::timestamptz + (number % 1000) * interval '1 minute'
          else '9999-12-31T00:00:00Z' end,
        resolution_due_at = case when number % 50 = 0 and status in ('open', 'in_progress')
          then '2026-03-02T12:00:00Z'::timestamptz + (number % 1000) * interval '1 minute' end,
        resolution_warn_at = case when number % 50 = 0 and status in ('open', 'in_progress')
          then '2026-03-02T11:00:00Z'::timestamptz + (number % 1000) * interval '1 minute' end,
        sla_check_at = case when number % 50 = 0 and status in ('open', 'in_progress')
          then '2026-03-02T11:00:00Z'::timestamptz + (number % 1000) * interval '1 minute'
          else null end`);
    await t.container.database.executeSql('analyze tickets');
    const staff = await t.container.database.executeSql(
      "select id from users where role = 'agent' order by id limit 1",
    );
    agent = { userId: String(staff.rows[0]?.id), role: 'agent', sessionId: 'explain' };
  }, 240_000);
  afterAll(() => t.close());

  async function planOf(statement: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
    const result = await t.container.database.executeSql(
      `explain (format json) ${statement.sql}`,
      statement.params,
    );
    return nodesOf((result.rows[0]?.['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan);
  }

  function expectIndexOnly(nodes: PlanNode[]): void {
    const scans = nodes.filter((node) => node['Relation Name'] === 'tickets');
    expect(scans.length).toBeGreaterThan(0);
    expect(
      scans.filter((node) => node['Node Type'] === 'Seq Scan'),
      JSON.stringify(nodes[0], null, 1),
    ).toEqual([]);
  }

  const cases: [string, Omit<TicketListQuery, 'limit'>][] = [
    ['due soonest first', { sort: 'due_at' }],
    ['due latest first', { sort: '-due_at' }],
    ['overdue or in warning', { sort: '-created_at', sla_state: ['warning', 'breached'] }],
    ['overdue, due soonest first', { sort: 'due_at', sla_state: ['breached'] }],
    ['open, due soonest first', { sort: 'due_at', status: ['open'] }],
  ];

  it.each(cases)('lists through an index, never a sequential scan: %s', async (_name, query) => {
    expectIndexOnly(
      await planOf(t.container.tickets.listQuery(agent, { limit: 20, ...query }).toSQL()),
    );
  });

  it('pages the due-soonest list on from a cursor, through the index', async () => {
    const first = await t.container.tickets.list(agent, { sort: 'due_at', limit: 20 });
    const dues = first.items.map((ticket) => ticket.sla?.next_due_at ?? '');
    expect(dues.every(Boolean)).toBe(true);
    expect(dues).toEqual([...dues].sort((a, b) => Date.parse(a) - Date.parse(b)));
    const query = { sort: 'due_at' as const, limit: 20, cursor: first.next_cursor ?? undefined };
    expectIndexOnly(await planOf(t.container.tickets.listQuery(agent, query).toSQL()));
    const next = await t.container.tickets.list(agent, query);
    expect(next.items[0]?.id).not.toBe(first.items.at(-1)?.id);
  });

  it('finds the tickets the SLA job must look at through the partial index', async () => {
    const nodes = await planOf(t.container.tickets.slaCheckQuery(now, 200).toSQL());
    expect(
      nodes.some((node) => node['Index Name'] === 'tickets_sla_check_idx'),
      JSON.stringify(nodes[0], null, 1),
    ).toBe(true);
  });
});
