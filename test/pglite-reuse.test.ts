import { readFileSync } from 'node:fs';
import { describe, expect, inject, it, vi } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { createTestApp } from './app.js';
import { addCategory, callAs, openTicket, signInAs } from './people.js';
import { openReusedPglite } from './pglite-reuse.js';

/** Everything a test could see of a database: each table's rows, each sequence, the schemas. */
async function contents(database: Database): Promise<Record<string, unknown>> {
  const { rows: tables } = await database.executeSql(
    `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'
      order by 1`,
  );
  const seen: Record<string, unknown> = {};
  for (const { name } of tables) {
    const { rows } = await database.executeSql(
      `select count(*)::int as count,
              md5(coalesce(json_agg(t order by t::text)::text, '')) as digest
         from ${String(name)} t`,
    );
    seen[String(name)] = rows[0];
  }
  const { rows: sequences } = await database.executeSql(
    'select schemaname, sequencename, last_value from pg_sequences order by 1, 2',
  );
  seen.sequences = sequences;
  return seen;
}

/** The transaction counter: it only grows, so a database that has done work before shows it. */
async function transactions(database: Database): Promise<number> {
  const { rows } = await database.executeSql('select txid_current() as id');
  return Number(rows[0]?.id);
}

// Each test opens three embedded databases from the template, seconds each on a busy 2-CPU
// machine (a CI run took 30 s, the suite's time-out, for the first) while other files start theirs.
vi.setConfig({ testTimeout: 120_000 });

describe('embedded test databases, reused between tests (test/pglite-reuse.ts)', () => {
  const templateFile = inject('pgliteTemplate');

  async function freshFromTemplate(): Promise<{ seen: Record<string, unknown>; txid: number }> {
    const fresh = await openDatabase({
      memory: true,
      loadDataDir: new Blob([readFileSync(templateFile)]),
    });
    try {
      return { seen: await contents(fresh), txid: await transactions(fresh) };
    } finally {
      await fresh.close();
    }
  }

  it('hand the next test a used database exactly as the template left it', async () => {
    const template = await freshFromTemplate();
    // A whole app on a reused database: people, a category, tickets and messages, the job
    // queue's own schema, the statistics' rollups filled by their triggers.
    const database = await openReusedPglite(templateFile);
    const t = await createTestApp({ database, startQueue: true });
    const customer = await signInAs(t, 'user');
    const agent = await signInAs(t, 'agent');
    const category = await addCategory(t);
    for (const title of ['First', 'Second']) {
      const ticket = await openTicket(t, customer, category, { title });
      await callAs(t, agent, 'POST', `/tickets/${ticket.id}/messages`, { content: 'On it' });
    }
    const used = await contents(database);
    expect(used).not.toEqual(template.seen);
    await t.close();
    await database.close();

    const next = await openReusedPglite(templateFile);
    try {
      // It is the same database (it has run more transactions than a fresh one) …
      expect(await transactions(next)).toBeGreaterThan(template.txid + 50);
      // … put back: the same rows, sequences and schemas as a database loaded from the template.
      expect(await contents(next)).toEqual(template.seen);
    } finally {
      await next.close();
    }
  });

  it('do not hand on a database whose structure a test changed', async () => {
    const changed = await openReusedPglite(templateFile);
    await changed.executeSql('create table scratch (note text)');
    await changed.executeSql('alter table tickets disable trigger user');
    await changed.close();

    const next = await openReusedPglite(templateFile);
    try {
      const { rows } = await next.executeSql(
        `select count(*)::int as count from pg_class where relname = 'scratch'`,
      );
      expect(rows[0]?.count).toBe(0);
      const { rows: disabled } = await next.executeSql(
        `select count(*)::int as count from pg_trigger where tgenabled = 'D'`,
      );
      expect(disabled[0]?.count).toBe(0);
    } finally {
      await next.close();
    }
  });
});
