import { readFileSync } from 'node:fs';
import pg from 'pg';
import { pgliteDatabase } from '../src/db/pglite.js';
import { startPgliteThread, type PgliteThread } from '../src/db/pglite-thread.js';
import type { Database } from '../src/db/client.js';

/**
 * Embedded test databases, reused. Starting PGlite from the migrated template costs about a
 * second of CPU (measured: 1.1–1.6 s per start, with the WebAssembly already compiled), and the
 * embedded pass opens one per test app, hundreds in all. So when a test closes its database, the
 * database thread is put back as the template left it (its session discarded, schemas made since
 * dropped, every table emptied with its sequences restarted: the migrations leave them empty),
 * and the next test of the same worker process gets it. A database whose structure a test
 * changed (a table made, a trigger switched off) is not put back: it is closed, and the next
 * test gets a fresh one.
 */

/** The state of the template that a reused database is put back to. */
interface Template {
  /** A digest of every schema object outside the system catalogs. */
  structure: string;
  /** The schemas the template has; any other (pg-boss makes its own) is dropped. */
  schemas: string[];
  /** The tables the tests may fill: all but drizzle's record of migrations. */
  tables: string[];
  /**
   * Whether every table is empty, as the migrations leave them (what a reset restores). A
   * migration that seeds rows would make the reset lose them, so databases are then not reused.
   */
  empty: boolean;
}

/** Idle databases kept per worker process; more than this are closed. */
const keptIdle = 2;
const idle: PgliteThread[] = [];
let template: Template | undefined;
let templateBytes: Uint8Array | undefined;

const userSchemas = `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'`;

/**
 * A digest of one line per schema object: relations, columns, defaults, constraints, triggers
 * (and whether each is enabled), functions, enum values, roles, extensions.
 */
const structureQuery = `
select md5(coalesce(string_agg(item, E'\\n' order by item), '')) as digest from (
  select format('rel %I.%I %s', n.nspname, c.relname, c.relkind) as item
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${userSchemas}
  union all
  select format('col %s.%I %s %s %s %s %s', c.oid::regclass, a.attname,
      format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated, a.attidentity,
      pg_get_expr(d.adbin, d.adrelid))
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attnum > 0 and not a.attisdropped and ${userSchemas}
  union all
  select format('con %s.%I %s', k.conrelid::regclass, k.conname, pg_get_constraintdef(k.oid))
    from pg_constraint k join pg_namespace n on n.oid = k.connamespace where ${userSchemas}
  union all
  select format('trg %s.%I %s', tgrelid::regclass, tgname, tgenabled)
    from pg_trigger where not tgisinternal
  union all
  select format('fn %I.%I %s', n.nspname, p.proname, md5(coalesce(p.prosrc, '')))
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${userSchemas}
  union all
  select format('enum %s %s %s', enumtypid::regtype, enumlabel, enumsortorder) from pg_enum
  union all
  select format('role %I', rolname) from pg_roles
  union all
  select format('ext %I %s', extname, extversion) from pg_extension
) items`;

async function query<Row>(client: pg.Client, text: string): Promise<Row[]> {
  return (await client.query(text)).rows as Row[];
}

/** The names of the schemas outside the system catalogs. */
async function schemasOf(client: pg.Client): Promise<string[]> {
  const rows = await query<{ name: string }>(
    client,
    `select n.nspname as name from pg_namespace n where ${userSchemas}`,
  );
  return rows.map((row) => row.name);
}

async function readTemplate(client: pg.Client): Promise<Template> {
  const [structure] = await query<{ digest: string }>(client, structureQuery);
  const schemas = await schemasOf(client);
  const tables = await query<{ name: string }>(
    client,
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relispartition and n.nspname <> 'drizzle'
        and ${userSchemas}`,
  );
  let filled = false;
  for (const { name } of tables) {
    const [any] = await query<{ found: boolean }>(
      client,
      `select exists (select from ${name}) as found`,
    );
    filled ||= Boolean(any?.found);
  }
  return {
    structure: structure?.digest ?? '',
    schemas,
    tables: tables.map((table) => table.name),
    empty: !filled,
  };
}

/**
 * Puts the database back as the template left it; false when a test changed its structure (then
 * it cannot be reused).
 */
async function resetToTemplate(client: pg.Client, to: Template): Promise<boolean> {
  // Whatever the test's connections left in the one session: settings, locks, temporary tables.
  await client.query('discard all');
  for (const name of await schemasOf(client)) {
    if (!to.schemas.includes(name)) {
      await client.query(`drop schema ${pg.escapeIdentifier(name)} cascade`);
    }
  }
  const [structure] = await query<{ digest: string }>(client, structureQuery);
  if (structure?.digest !== to.structure) return false;
  // Restarting identity resets the sequences the tables own (the template has no other kind; the
  // test in test/pglite-reuse.test.ts compares every sequence).
  await client.query(`truncate ${to.tables.join(', ')} restart identity cascade`);
  return true;
}

/** A node-postgres client connected to the database thread. */
export async function connectToThread(thread: PgliteThread): Promise<pg.Client> {
  const client = new pg.Client({
    user: 'postgres',
    database: 'postgres',
    stream: () => thread.connect(),
  });
  await client.connect();
  return client;
}

/** Runs `work` on a connection of its own to the thread, ended afterwards. */
async function onConnection<T>(thread: PgliteThread, work: (client: pg.Client) => Promise<T>) {
  const client = await connectToThread(thread);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A running database thread with the migrated template loaded, and that template read. */
async function freshThread(templateFile: string): Promise<PgliteThread> {
  templateBytes ??= new Uint8Array(readFileSync(templateFile));
  const thread = await startPgliteThread({ loadDataDir: templateBytes });
  template ??= await onConnection(thread, readTemplate);
  return thread;
}

/** Hands the thread back for reuse when it could be reset, and closes it otherwise. */
async function release(thread: PgliteThread): Promise<void> {
  const to = template;
  let reusable = false;
  if (to?.empty && idle.length < keptIdle) {
    // A thread that failed, or a reset that did: the next test starts afresh.
    reusable = await onConnection(thread, (client) => resetToTemplate(client, to)).catch(
      () => false,
    );
  }
  if (reusable) idle.push(thread);
  else await thread.close();
}

/** An embedded database in the state of the migrated template (`templateFile`, a PGlite dump). */
export async function openReusedPglite(templateFile: string): Promise<Database> {
  const thread = idle.pop() ?? (await freshThread(templateFile));
  let released: Promise<void> | undefined;
  return pgliteDatabase(thread, () => (released ??= release(thread)));
}
