import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client.js';
import { templateName } from './cluster-template.js';

const journal = JSON.parse(
  readFileSync(new URL('./migrations/meta/_journal.json', import.meta.url), 'utf8'),
) as { entries: unknown[] };

/** Opens the embedded database of `dataDir`, runs `sql`, closes it and answers the rows. */
async function query(dataDir: string, templateDir: string, sql: string) {
  const database = await openDatabase({ dataDir, templateDir });
  try {
    return (await database.executeSql(sql)).rows;
  } finally {
    await database.close();
  }
}

const appliedMigrations = 'select count(*)::int as n from drizzle.__drizzle_migrations';

describe('a new embedded data directory', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-cluster-'));
  const templateDir = path.join(root, 'templates');
  const template = path.join(templateDir, templateName());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts migrated, and the next one is copied from the template kept by the first', async () => {
    // A template of another PGlite version or other migrations, never to be used again.
    mkdirSync(path.join(templateDir, 'pglite-0.0.1-0123456789abcdef'), { recursive: true });
    const first = path.join(root, 'first');
    expect(await query(first, templateDir, appliedMigrations)).toEqual([
      { n: journal.entries.length },
    ]);
    const made = statSync(path.join(template, 'PG_VERSION')).mtimeMs;

    const second = path.join(root, 'second');
    await query(second, templateDir, 'create table notes (body text)');
    await query(second, templateDir, "insert into notes values ('kept')");
    expect(await query(second, templateDir, 'select body from notes')).toEqual([{ body: 'kept' }]);
    // Made once: the second directory was copied from it, not from a new cluster.
    expect(statSync(path.join(template, 'PG_VERSION')).mtimeMs).toBe(made);
    // Each directory is a cluster of its own.
    expect(await query(first, templateDir, "select to_regclass('notes') is null as gone")).toEqual([
      { gone: true },
    ]);
    expect(readdirSync(templateDir)).toEqual([templateName()]);
  }, 180_000);

  it('makes the template again when what is kept is not a whole one', async () => {
    rmSync(template, { recursive: true, force: true });
    mkdirSync(template);
    writeFileSync(path.join(template, 'postmaster.opts'), '');
    const dataDir = path.join(root, 'after-damage');
    expect(await query(dataDir, templateDir, appliedMigrations)).toEqual([
      { n: journal.entries.length },
    ]);
    expect(statSync(path.join(template, 'PG_VERSION')).isFile()).toBe(true);
  }, 180_000);

  it('still starts where no template can be kept, as a cluster of its own', async () => {
    const notAFolder = path.join(root, 'a-file');
    writeFileSync(notAFolder, '');
    const dataDir = path.join(root, 'no-template');
    expect(await query(dataDir, path.join(notAFolder, 'templates'), 'select 1 as ok')).toEqual([
      { ok: 1 },
    ]);
  }, 180_000);
});
