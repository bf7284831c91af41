// `npm run bench:stats -- [--tickets 1000000] [--runs 7] [--reseed] [--match text]
//   [--database-url postgres://postgres@127.0.0.1:5432/ticket_bench_stats]`: each stats endpoint
// (issue 19) at the scale of data the specification plans for, through the application's own
// stats service. Loads `tickets` tickets (bench/seed-tickets.ts) into a PostgreSQL database of
// its own (kept between runs; `--reseed` starts again), with three messages each, their
// assignments in the audit log, a rating of one resolved ticket in three, and their cycle facts
// (`ticket_cycles`: one per ticket, plus a reopen of one ended ticket in twenty). Then times
// each endpoint over the last 7 days, 30 days, a quarter and a year, without and with a filter
// (one category), `runs` times after one warm-up call, for each way of reading the figures the
// service knows (`--sources`), and prints the median and worst of each. Asserts nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createContainer, type Container } from '../src/container.js';
import { openDatabase } from '../src/db/client.js';
import { migrationsFolder } from '../src/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import type { CountSource } from '../src/stats/figures.js';
import type { StatsQuery } from '../src/stats/schemas.js';
import { createStatsService, type StatsService } from '../src/stats/service.js';
import { percentile } from './server.js';
import { ensureDatabase, seedInBatches } from './bench-database.js';
import { uuidV7 } from './seed-tickets.js';

const { values: options } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '7' },
    reseed: { type: 'boolean', default: false },
    /** How the counts are read: `facts` (the cycles alone, before the rollup), `rollup`. */
    sources: { type: 'string', default: 'facts,rollup' },
    /** Only the cases whose name contains this text. */
    match: { type: 'string', default: '' },
    'database-url': {
      type: 'string',
      default:
        process.env.BENCH_STATS_DATABASE_URL ??
        'postgres://postgres@127.0.0.1:5432/ticket_bench_stats',
    },
  },
});
const ticketCount = Number(options.tickets);
const runs = Number(options.runs);
const databaseUrl = options['database-url'];
const dayMs = 86_400_000;
/** Tickets per seeding statement. */
const batch = 50_000;

/** Three messages per ticket numbered $1..$2: the customer's, staff's answer, the customer's. */
const insertMessages = `
  insert into messages (id, ticket_id, user_id, content, is_internal, created_at)
  select ${uuidV7('at')}, id, writer, 'Message ' || g, false, at
  from (
    select t.id, case when g = 2 and t.assigned_to is not null then t.assigned_to
                      else t.user_id end as writer, g,
           t.created_at + (t.updated_at - t.created_at) * g / 4 as at
    from tickets t, generate_series(1, 3) g
    where t.number between $1::int and $2::int
    offset 0
  ) m`;

/** The assignment of each assigned ticket numbered $1..$2, five minutes after it was opened. */
const insertAssignments = `
  insert into audit_log (id, actor_id, action, entity_type, entity_id, ticket_id, before, after,
                         created_at)
  select ${uuidV7("t.created_at + interval '5 minutes'")}, t.assigned_to, 'ticket.assigned',
         'ticket', t.id, t.id, jsonb_build_object('assigned_to', null),
         jsonb_build_object('assigned_to', t.assigned_to), t.created_at + interval '5 minutes'
  from tickets t where t.number between $1::int and $2::int and t.assigned_to is not null`;

/**
 * The cycle facts of tickets numbered $1..$2 as the recorder would have kept them: one cycle
 * from creation, ended at the last change of a resolved or closed ticket; support-hours
 * durations a fixed share of the calendar ones (a bench needs their spread, not their truth);
 * targets of an hour and a day.
 */
const insertCycles = `
  insert into ticket_cycles (ticket_id, seq, started_at, ended_at, closed_at, ended_assignee,
    first_response_at, first_responder_id, first_response_support_s, resolution_support_s,
    first_response_due_at, resolution_due_at, category_id, priority, assigned_to, channel)
  select t.id, 1, t.created_at, e.ended_at, t.closed_at,
         case when e.ended_at is not null then t.assigned_to end,
         t.first_response_at, case when t.first_response_at is not null then t.assigned_to end,
         (extract(epoch from t.first_response_at - t.created_at) * 0.3)::int,
         (extract(epoch from e.ended_at - t.created_at) * 0.25)::int,
         t.created_at + interval '1 hour', t.created_at + interval '1 day',
         t.category_id, t.priority, t.assigned_to,
         (array['telegram', 'mini_app', 'api'])[1 + abs(hashint8(t.number::bigint)) % 3]
  from tickets t,
       lateral (select case when t.status in ('resolved', 'closed') then t.updated_at end
                  as ended_at) e
  where t.number between $1::int and $2::int`;

/** A reopen of one ended ticket in twenty (numbered $1..$2), resolved again a day later. */
const insertReopens = `
  insert into ticket_cycles (ticket_id, seq, started_at, ended_at, ended_assignee,
    first_response_at, first_responder_id, first_response_support_s, resolution_support_s,
    first_response_due_at, resolution_due_at, category_id, priority, assigned_to, channel)
  select c.ticket_id, 2, c.ended_at + interval '1 hour', c.ended_at + interval '25 hours',
         c.assigned_to, c.ended_at + interval '2 hours', c.assigned_to, 1800, 7200,
         c.ended_at + interval '2 hours', c.ended_at + interval '25 hours',
         c.category_id, c.priority, c.assigned_to, c.channel
  from ticket_cycles c join tickets t on t.id = c.ticket_id
  where t.number between $1::int and $2::int and t.number % 20 = 0 and c.ended_at is not null
    and c.seq = 1 and c.ended_at + interval '25 hours' < now()`;

/**
 * A rating of one resolved ticket in three (numbered $1..$2), an hour after it ended, with its
 * ticket's category, priority and assignee (which a trigger copies on outside the bench).
 */
const insertRatings = `
  insert into ticket_ratings (id, ticket_id, resolution_id, resolved_at, user_id, score,
                              created_at, updated_at, category_id, priority, assigned_to)
  select ${uuidV7("c.ended_at + interval '1 hour'")}, t.id, gen_random_uuid(), c.ended_at,
         t.user_id, 1 + abs(hashint8(t.number::bigint + 7)) % 5,
         c.ended_at + interval '1 hour', c.ended_at + interval '1 hour',
         t.category_id, t.priority, t.assigned_to
  from tickets t join ticket_cycles c on c.ticket_id = t.id and c.seq = 1
  where t.number between $1::int and $2::int and t.number % 3 = 0 and c.ended_at is not null`;

/**
 * The statistics' rollups of the loaded cycles, assignments, messages and ratings, built by the
 * very statements their migrations build them with (each `INSERT INTO "stats_…"` of a migration,
 * in order): the loading skips every trigger (`session_replication_role = replica`), those that
 * keep the rollups too, which would otherwise be left empty.
 */
function rollupBackfills(): string[] {
  return readdirSync(migrationsFolder)
    .filter((file) => file.endsWith('.sql'))
    .sort((a, b) => a.localeCompare(b))
    .flatMap((file) =>
      readFileSync(path.join(migrationsFolder, file), 'utf8').split('--> statement-breakpoint'),
    )
    .map((statement) => statement.replace(/^\s*(--[^\n]*\n\s*)*/, ''))
    .filter((statement) => statement.startsWith('INSERT INTO "stats_'));
}

/** Loads the tickets and their facts, unless the database already has them. */
async function seed(container: Container): Promise<void> {
  const range = (from: number, to: number) => [from, to];
  const elapsed = await seedInBatches({
    executor: container.database,
    databaseUrl,
    ticketCount,
    batch,
    what: 'facts',
    statements: (from, to) =>
      [insertMessages, insertAssignments, insertCycles, insertReopens, insertRatings].map(
        (statement) => [statement, range(from, to)],
      ),
    analyze: 'analyze',
  });
  if (elapsed) console.log(`  loaded in ${elapsed}`);
  const backfills = rollupBackfills();
  const rollups = [
    ...new Set(backfills.map((statement) => /^INSERT INTO "(\w+)"/.exec(statement)?.[1])),
  ];
  // A database loaded before a rollup came has that rollup empty: every rollup is built anew
  // then, as after a load (the few rows the set-up wrote through the triggers included).
  const filled = rollups.map((table) => 'exists (select from ' + table + ')');
  const { rows } = await container.database.executeSql(`select ${filled.join(' and ')} as built`);
  if (!elapsed && rows[0]?.built === true) return;
  const started = performance.now();
  await container.database.executeSql(`truncate ${rollups.join(', ')}`);
  for (const statement of backfills) await container.database.executeSql(statement);
  // A bulk load leaves the visibility map unset; autovacuum would set it on a live database.
  await container.database.executeSql('vacuum analyze');
  console.log(`  rollups built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Each endpoint over the last week, month, quarter and year, without and with a filter. */
function casesOf(stats: StatsService, category: string) {
  const periods: [string, number][] = [
    ['7 d', 7],
    ['30 d', 30],
    ['quarter', 91],
    ['year', 365],
  ];
  const endpoints: [string, (query: StatsQuery, days: number) => Promise<unknown>][] = [
    ['overview', (query) => stats.overview(query)],
    [
      'timeseries',
      (query, days) => stats.timeseries({ ...query, bucket: days <= 31 ? 'hour' : 'day' }),
    ],
    ['breakdown', (query) => stats.breakdown({ ...query, by: 'category', language: 'en' })],
    ['heatmap', (query) => stats.heatmap(query)],
    ['staff', (query) => stats.staff(query)],
  ];
  const to = new Date();
  return endpoints.flatMap(([endpoint, call]) =>
    periods.flatMap(([label, days]) =>
      [false, true].map((filtered) => {
        const query: StatsQuery = {
          from: new Date(to.getTime() - days * dayMs),
          to,
          ...(filtered ? { categoryId: category } : {}),
        };
        return {
          endpoint,
          label,
          filtered,
          name: `${endpoint} ${label}${filtered ? ' category' : ''}`,
          call: () => call(query, days),
        };
      }),
    ),
  );
}

/** `call` once to warm up, then `runs` times: the median and worst time in ms. */
async function time(call: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  await call();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  const sorted = Float64Array.from(times).sort();
  return { p50: percentile(sorted, 0.5), max: sorted.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl, options.reseed);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-stats-'));
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
  const category = String(
    (await container.database.executeSql('select id from categories order by sort_order limit 1'))
      .rows[0]?.id,
  );
  for (const source of options.sources.split(',') as CountSource[]) {
    const stats = createStatsService({
      db: container.database.db,
      clock: { now: () => new Date() },
      settings: container.settings,
      counts: source,
    });
    console.log(
      `\ncounts from ${source === 'facts' ? 'the cycles alone (before)' : 'the hourly rollup (after)'}`,
    );
    await report(stats, category);
  }
  await container.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Times every case with `stats` and prints the table. */
async function report(stats: StatsService, category: string): Promise<void> {
  const rows: { name: string; p50: number; max: number }[] = [];
  console.log(
    `\n${'endpoint'.padEnd(12)} ${'period'.padEnd(8)} ${'filter'.padEnd(9)} ${'p50'.padStart(9)} ${'max'.padStart(9)}`,
  );
  for (const { endpoint, label, filtered, name, call } of casesOf(stats, category)) {
    if (!name.includes(options.match)) continue;
    const figures = await time(call);
    rows.push({ name, ...figures });
    console.log(
      `${endpoint.padEnd(12)} ${label.padEnd(8)} ${(filtered ? 'category' : '—').padEnd(9)} ${figures.p50.toFixed(1).padStart(6)} ms ${figures.max.toFixed(1).padStart(6)} ms`,
    );
  }
  const over = rows.filter((row) => row.p50 > 100);
  console.log(
    `\nstats: ${ticketCount.toLocaleString('en')} tickets, ${rows.length} cases, slowest p50 ` +
      `${Math.max(...rows.map((row) => row.p50)).toFixed(1)} ms; ` +
      (over.length ? `over 100 ms: ${over.map((row) => row.name).join('; ')}` : 'all ≤ 100 ms'),
  );
}

await main();
