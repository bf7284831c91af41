// `npx tsx bench/stats-write-cost.ts [--rows 400] [--database-url URL]`: what the statistics'
// rollup triggers add to each write a request makes, in PostgreSQL's own time. On a fresh,
// migrated database of its own (`ticket_bench_write_cost`, made anew each run) with 4 × rows + 200
// tickets, it writes one row per transaction, as a request does, in a server-side loop (no round
// trips): a ticket's new cycle, a first answer recorded on it, and a staff member's message;
// alternately with the triggers off (`session_replication_role = replica`) and on, twice each.
// Prints the time per row of each. Asserts nothing.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { ensureDatabase } from './bench-database.js';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '400' },
    'database-url': {
      type: 'string',
      default: 'postgres://postgres@127.0.0.1:5432/ticket_bench_write_cost',
    },
  },
});
const rows = Number(options.rows);
const databaseUrl = options['database-url'];

const customer = '00000000-0000-7000-8000-000000000001';
const agent = '00000000-0000-7000-8000-000000000002';
const category = '00000000-0000-7000-8000-0000000000c1';
const ticketId = (n: string) => `('00000000-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

const seed = [
  `insert into users (id, telegram_id, first_name, role) values
     ('${customer}', 1, 'Customer', 'user'), ('${agent}', 2, 'Agent', 'agent')`,
  `insert into categories (id, name) values ('${category}', 'General')`,
  `insert into tickets (id, user_id, category_id, title, description, created_at)
     select ${ticketId('g')}, '${customer}', '${category}', 'Ticket ' || g, 'Details',
            now() - make_interval(mins => g)
       from generate_series(1, $1::int) g`,
  `insert into ticket_cycles (ticket_id, seq, started_at, category_id, priority, channel)
     select id, 1, created_at, category_id, priority, 'mini_app' from tickets`,
  // One transaction per row, as requests write them; times each kind of write.
  `create procedure write_cost(first int, n int, inout cycle_ms numeric, inout answer_ms numeric,
                               inout message_ms numeric) language plpgsql as $$
   declare started timestamptz; id uuid;
   begin
     started := clock_timestamp();
     for i in first .. first + n - 1 loop
       id := ${ticketId('i')};
       insert into ticket_cycles (ticket_id, seq, started_at, category_id, priority, channel)
         values (id, 2, now(), '${category}', 'normal', 'mini_app');
       commit;
     end loop;
     cycle_ms := extract(epoch from clock_timestamp() - started) * 1000 / n;
     started := clock_timestamp();
     for i in first .. first + n - 1 loop
       id := ${ticketId('i')};
       update ticket_cycles set first_response_at = started_at + interval '5 minutes',
              first_response_support_s = 300, first_responder_id = '${agent}'
        where ticket_id = id and seq = 2;
       commit;
     end loop;
     answer_ms := extract(epoch from clock_timestamp() - started) * 1000 / n;
     started := clock_timestamp();
     for i in first .. first + n - 1 loop
       insert into messages (id, ticket_id, user_id, content)
         values (gen_random_uuid(), ${ticketId('i')}, '${agent}', 'On it');
       commit;
     end loop;
     message_ms := extract(epoch from clock_timestamp() - started) * 1000 / n;
   end $$`,
];

await ensureDatabase(databaseUrl, true);
const database = await openDatabase({ url: databaseUrl });
await migrateDatabase(database);
await database.close();

const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const tickets = 4 * rows + 200;
for (const statement of seed) {
  await client.query(statement, statement.includes('$1') ? [tickets] : []);
}
await client.query('analyze');
console.log(`stats write cost: ${tickets} tickets, ${rows} rows per kind and pass, ms per row`);
let first = 101;
for (const pass of [1, 2]) {
  for (const triggers of ['off', 'on'] as const) {
    await client.query(
      `set session_replication_role = ${triggers === 'on' ? 'origin' : 'replica'}`,
    );
    const { rows: result } = await client.query<Record<string, string>>(
      'call write_cost($1, $2, null, null, null)',
      [first, rows],
    );
    first += rows;
    const [times] = result;
    const ms = (name: string) => Number(times?.[name]).toFixed(3);
    const figures = [
      `new cycle ${ms('cycle_ms')}`,
      `first answer ${ms('answer_ms')}`,
      `staff message ${ms('message_ms')}`,
    ];
    console.log(`  pass ${pass}, triggers ${triggers.padEnd(3)}: ${figures.join(', ')}`);
  }
}
await client.end();
