// `npm run bench:scale -- [--tickets 1000000] [--messages 10] [--runs 15] [--reseed] [--match text]
//   [--database-url postgres://postgres@127.0.0.1:5432/ticket_bench_scale]`: the hot queries at
// the scale of data the specification plans for. Loads `tickets` tickets (bench/seed-tickets.ts),
// `messages` messages each (plus 2,000 on one ticket in 5,000, the long conversations) and two
// history entries each into a PostgreSQL database of its own (kept between runs: loading 10M
// rows takes minutes; `--reseed` starts it again). Then calls each hot read through the
// application's own services, records every statement the call sends (text and parameters, as
// node-postgres sends them) and runs each under EXPLAIN (ANALYZE, BUFFERS) `runs` times. Prints,
// per case, the median and worst execution time of its slowest statement and the median time of
// the whole call as the service sees it, then one summary line. Asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Principal } from '../src/auth/service.js';
import { loadConfig } from '../src/config.js';
import { createContainer, type Container } from '../src/container.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { percentile } from './server.js';
import { ensureDatabase, seedInBatches } from './bench-database.js';
import { uuidV7 } from './seed-tickets.js';

const { values: options } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    messages: { type: 'string', default: '10' },
    runs: { type: 'string', default: '15' },
    reseed: { type: 'boolean', default: false },
    /** Only the cases whose name contains this text. */
    match: { type: 'string', default: '' },
    'database-url': {
      type: 'string',
      default:
        process.env.BENCH_SCALE_DATABASE_URL ??
        'postgres://postgres@127.0.0.1:5432/ticket_bench_scale',
    },
  },
});
const ticketCount = Number(options.tickets);
const messagesPerTicket = Number(options.messages);
const runs = Number(options.runs);
const databaseUrl = options['database-url'];
/** One ticket in `longEvery` has a long conversation of `longLength` messages. */
const longEvery = 5_000;
const longLength = 2_000;
/** Tickets per seeding statement. */
const batch = 50_000;

/** A statement as node-postgres was asked to send it. */
interface Statement {
  text: string;
  values: unknown[];
}

// Every statement the services send while `capturing` is set, recorded from node-postgres's
// client (the one place both ad-hoc and prepared statements pass through).
let capturing: Statement[] | undefined;
const sendQuery = Reflect.get(pg.Client.prototype, 'query') as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [first, second] = args;
  if (capturing) {
    if (typeof first === 'string') {
      capturing.push({ text: first, values: Array.isArray(second) ? second : [] });
    } else if (first && typeof first === 'object' && 'text' in first) {
      // Drizzle passes the values beside the query config: `query({ text, … }, values)`.
      const config = first as { text: string; values?: unknown[] };
      capturing.push({
        text: config.text,
        values: Array.isArray(second) ? second : (config.values ?? []),
      });
    }
  }
  return sendQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

/**
 * Messages of tickets numbered $2..$3, $1 each (2,000 in the long conversations): alternately
 * the customer's and staff's.
 */
const insertMessages = `
  insert into messages (id, ticket_id, user_id, content, is_internal, created_at)
  select ${uuidV7('at')}, id, writer, content, internal, at
  from (
    select t.id,
           case when g % 2 = 1 or t.assigned_to is null then t.user_id else t.assigned_to end
             as writer,
           case when g % 2 = 1 then 'Any news about ' || t.title || '? (' || g || ')'
                else 'We are looking into ' || t.title || ' (' || g || ')' end as content,
           g % 10 = 0 and t.assigned_to is not null as internal,
           t.created_at + (t.updated_at - t.created_at) * g / (n + 1) as at
    from tickets t,
         lateral (select case when t.number % ${longEvery} = 0 then ${longLength}
                              else $1::int end as n) c,
         lateral generate_series(1, c.n) g
    where t.number between $2::int and $3::int
    offset 0
  ) m`;

/** Two history entries per ticket numbered $1..$2: its creation and its last status change. */
const insertHistory = `
  insert into audit_log (id, actor_id, action, entity_type, entity_id, ticket_id, before, after,
                         created_at)
  select ${uuidV7('at')}, actor, action, 'ticket', id, id, before, after, at
  from (
    select t.id, t.user_id as actor, 'ticket.created' as action, null::jsonb as before,
           jsonb_build_object('status', 'open', 'title', t.title) as after, t.created_at as at
    from tickets t where t.number between $1::int and $2::int
    union all
    select t.id, coalesce(t.assigned_to, t.user_id), 'ticket.status_changed',
           jsonb_build_object('status', 'open'), jsonb_build_object('status', t.status),
           t.updated_at
    from tickets t where t.number between $1::int and $2::int and t.status <> 'open'
    offset 0
  ) h`;

/** Loads the tickets, their messages and history, unless the database already has them. */
async function seed(container: Container): Promise<void> {
  const executor = container.database;
  const elapsed = await seedInBatches({
    executor,
    databaseUrl,
    ticketCount,
    batch,
    what: 'messages',
    statements: (from, to) => [
      [insertMessages, [messagesPerTicket, from, to]],
      [insertHistory, [from, to]],
    ],
    analyze: 'analyze messages, audit_log',
  });
  if (!elapsed) return;
  const counts = await executor.executeSql(
    'select (select count(*) from tickets) as tickets, (select count(*) from messages) as messages',
  );
  console.log(
    `  loaded ${Number(counts.rows[0]?.tickets).toLocaleString('en')} tickets and ` +
      `${Number(counts.rows[0]?.messages).toLocaleString('en')} messages in ${elapsed}`,
  );
}

interface PlanRoot {
  'Execution Time': number;
  'Planning Time': number;
  Plan: { 'Actual Rows': number };
}

/**
 * Calls `call` once recording its statements, then `runs` times timed, then explains each
 * statement `runs` times: the median of the whole call and of its slowest statement.
 */
async function measure(explainer: pg.Client, call: () => Promise<unknown>) {
  capturing = [];
  await call();
  const statements = capturing;
  capturing = undefined;
  const callTimes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await call();
    callTimes.push(performance.now() - started);
  }
  let slowest = 0;
  let slowestMax = 0;
  for (const statement of statements) {
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const result = await explainer.query(
        `explain (analyze, buffers, format json) ${statement.text}`,
        statement.values,
      );
      const [root] = (result.rows[0] as { 'QUERY PLAN': PlanRoot[] })['QUERY PLAN'];
      if (root) times.push(root['Execution Time'] + root['Planning Time']);
    }
    const sorted = Float64Array.from(times).sort();
    const median = percentile(sorted, 0.5);
    if (median > slowest) {
      slowest = median;
      slowestMax = sorted.at(-1) ?? 0;
    }
  }
  const call50 = percentile(Float64Array.from(callTimes).sort(), 0.5);
  return { statements: statements.length, slowest, slowestMax, call: call50 };
}

/** One hot read, as a service call. */
type Case = [name: string, call: (c: Container) => Promise<unknown>];

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl, options.reseed);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-scale-'));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  });
  const logger = createLogger('silent');
  const database = await openDatabase({ url: databaseUrl }, logger);
  const container = await createContainer(config, logger, { database, defaultCategory: false });
  await seed(container);

  const one = async (text: string) =>
    (await container.database.executeSql(text)).rows[0] as Record<string, unknown>;
  const agent: Principal = {
    userId: String(
      (await one("select id from users where role = 'agent' order by telegram_id limit 1")).id,
    ),
    role: 'agent',
    sessionId: 'bench',
  };
  const customer: Principal = {
    userId: String(
      (await one('select user_id from tickets group by user_id order by count(*) desc limit 1'))
        .user_id,
    ),
    role: 'user',
    sessionId: 'bench',
  };
  const long = await one(
    `select id, user_id from tickets where number % ${longEvery} = 0 order by number desc limit 1`,
  );
  const longId = String(long.id);
  const longOwner: Principal = { userId: String(long.user_id), role: 'user', sessionId: 'bench' };
  const category = String((await one('select id from categories limit 1')).id);
  const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const secondPage = await container.tickets.list(agent, { sort: '-created_at', limit: 20 });
  const olderMessages = await container.messages.list(agent, longId, {
    sort: '-created_at',
    limit: 50,
  });

  const list = (actor: Principal, query: Record<string, unknown>) => (c: Container) =>
    c.tickets.list(actor, { sort: '-created_at', limit: 20, ...query });
  const cases: Case[] = [
    ['tickets: staff, newest first', list(agent, {})],
    ['tickets: staff, second page', list(agent, { cursor: secondPage.next_cursor ?? undefined })],
    ['tickets: staff, recently updated', list(agent, { sort: '-updated_at' })],
    ['tickets: staff, most urgent', list(agent, { sort: '-priority' })],
    ['tickets: staff, open', list(agent, { status: ['open'] })],
    [
      'tickets: staff, open or waiting by update',
      list(agent, { sort: '-updated_at', status: ['open', 'waiting'] }),
    ],
    ['tickets: staff, critical', list(agent, { priority: ['critical'] })],
    ['tickets: staff queue, mine', list(agent, { assigned_to: 'me' })],
    [
      'tickets: staff queue, mine in progress',
      list(agent, { assigned_to: 'me', status: ['in_progress'] }),
    ],
    ['tickets: staff queue, unassigned', list(agent, { assigned_to: 'none' })],
    ['tickets: staff, one category', list(agent, { category_id: category })],
    ['tickets: staff, one customer', list(agent, { user_id: customer.userId })],
    ['tickets: staff, last week', list(agent, { created_from: lastWeek })],
    ['tickets: search in English', list(agent, { q: 'printer' })],
    ['tickets: search in Russian', list(agent, { q: 'принтеры' })],
    ['tickets: search, two words', list(agent, { q: 'printer paper' })],
    ['tickets: search by number', list(agent, { q: '#424242' })],
    ['tickets: customer, own', list(customer, {})],
    ['tickets: customer, own open', list(customer, { status: ['open'] })],
    ['tickets: customer, own search', list(customer, { q: 'printer' })],
    ['counts: staff, all', (c) => c.tickets.counts(agent, {})],
    ['counts: staff, mine', (c) => c.tickets.counts(agent, { assigned_to: 'me' })],
    ['counts: staff, unassigned', (c) => c.tickets.counts(agent, { assigned_to: 'none' })],
    ['counts: customer, own', (c) => c.tickets.counts(customer, {})],
    ['ticket: by id', (c) => c.tickets.get(agent, longId)],
    [
      'messages: first page (staff)',
      (c) => c.messages.list(agent, longId, { sort: '-created_at', limit: 50 }),
    ],
    [
      'messages: first page (customer)',
      (c) => c.messages.list(longOwner, longId, { sort: 'created_at', limit: 50 }),
    ],
    [
      'messages: older page',
      (c) =>
        c.messages.list(agent, longId, {
          sort: '-created_at',
          limit: 50,
          cursor: olderMessages.next_cursor ?? undefined,
        }),
    ],
    ['history: a ticket', (c) => c.tickets.history(agent, longId, { limit: 50 })],
    [
      'people: search by name',
      (c) => c.users.list({ userId: agent.userId, role: 'admin' }, { limit: 20, q: 'ivan' }),
    ],
    [
      'reminders: awaiting an answer',
      (c) =>
        c.tickets.awaitingStaffAnswer(c.database.db, {
          cutoff: new Date(Date.now() - 86_400_000),
          excluding: [],
          limit: 100,
        }),
    ],
  ];

  const explainer = new pg.Client({ connectionString: databaseUrl });
  await explainer.connect();
  const summary: { name: string; slowest: number }[] = [];
  console.log(
    `\n${'case'.padEnd(44)} ${'stmts'.padStart(5)} ${'slowest stmt p50'.padStart(17)} ${'max'.padStart(9)} ${'call p50'.padStart(9)}`,
  );
  for (const [name, call] of cases.filter(([name]) => name.includes(options.match))) {
    const figures = await measure(explainer, () => call(container));
    summary.push({ name, slowest: figures.slowest });
    console.log(
      `${name.padEnd(44)} ${String(figures.statements).padStart(5)} ${figures.slowest.toFixed(2).padStart(14)} ms ${figures.slowestMax.toFixed(2).padStart(6)} ms ${figures.call.toFixed(2).padStart(6)} ms`,
    );
  }
  await explainer.end();
  const over = summary.filter((entry) => entry.slowest > 5);
  console.log(
    `\nscale: ${ticketCount.toLocaleString('en')} tickets, ${summary.length} cases, ` +
      `slowest statement ${Math.max(...summary.map((entry) => entry.slowest)).toFixed(2)} ms; ` +
      (over.length ? `over 5 ms: ${over.map((entry) => entry.name).join('; ')}` : 'all ≤ 5 ms'),
  );
  await container.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
