import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from './migrate.js';

const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const pglitePackage = path.resolve(path.dirname(pgliteEntry), '..');

/** Where templates are kept when PGLITE_TEMPLATE_DIR is unset: beside the installed packages. */
export const defaultTemplateDir = path.resolve(
  pglitePackage,
  '..',
  '..',
  '.cache',
  'telegram-ticket-bot',
);

/**
 * The template's name: a cluster is only good for the PostgreSQL build (PGlite version) that made
 * it, and holds the schema of the migrations it was made with.
 */
export function templateName(): string {
  const manifest = JSON.parse(readFileSync(path.join(pglitePackage, 'package.json'), 'utf8')) as {
    version: string;
  };
  const migrations = createHash('sha256');
  for (const name of readdirSync(migrationsFolder).sort((a, b) => a.localeCompare(b))) {
    if (name.endsWith('.sql'))
      migrations.update(name).update(readFileSync(path.join(migrationsFolder, name)));
  }
  migrations.update(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json')));
  return `pglite-${manifest.version}-${migrations.digest('hex').slice(0, 16)}`;
}

/**
 * Gives the data directory `dir`, when new, a migrated PostgreSQL cluster. Creating one (initdb
 * in WebAssembly, then a hundred DDL statements while the WebAssembly is not yet optimised) costs
 * most of a first start; so it is done once per machine, PGlite version and set of migrations,
 * kept in `templateDir`, and copied into each new data directory (docs/operations.md, "Embedded
 * (the default)"). Does nothing when `dir` holds anything already. Where no template can be kept
 * (a read-only install) it leaves `dir` to PGlite, which runs initdb there as without a template.
 */
export async function prepareCluster(dir: string, templateDir = defaultTemplateDir): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  const template = path.join(path.resolve(templateDir), templateName());
  if (!existsSync(path.join(template, 'PG_VERSION')) && !(await createTemplate(template))) return;
  // Copied beside and renamed into place, so an interrupted start never leaves half a cluster.
  const partial = `${dir}.${process.pid}.partial`;
  try {
    cpSync(template, partial, { recursive: true });
    rmSync(dir, { recursive: true, force: true }); // empty, as checked above
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Makes the template: a new cluster with every migration applied, closed cleanly. False when
 * nothing can be written where it goes.
 */
async function createTemplate(template: string): Promise<boolean> {
  const partial = `${template}.${process.pid}.partial`;
  try {
    mkdirSync(partial, { recursive: true });
  } catch (error) {
    if (unwritable(error)) return false;
    throw error;
  }
  try {
    const cluster = await PGlite.create(partial);
    try {
      await migrate(drizzle(cluster), { migrationsFolder });
    } finally {
      await cluster.close();
    }
    // Something there without PG_VERSION is not a whole template (renames are atomic): replaced.
    if (existsSync(template) && !existsSync(path.join(template, 'PG_VERSION'))) {
      rmSync(template, { recursive: true, force: true });
    }
    renameSync(partial, template);
  } catch (error) {
    // Another process starting at the same moment put its template there first: use that one.
    if (!existsSync(path.join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  removeOtherTemplates(template);
  return true;
}

/** Templates of other PGlite versions or migrations are never used again. */
function removeOtherTemplates(template: string): void {
  const folder = path.dirname(template);
  for (const name of readdirSync(folder)) {
    // Not another process's template in the making (`….partial`), nor the current one.
    if (
      /^pglite-[\w.-]+$/.test(name) &&
      !name.endsWith('.partial') &&
      path.join(folder, name) !== template
    ) {
      rmSync(path.join(folder, name), { recursive: true, force: true });
    }
  }
}

/** True for the errors of a place where nothing may be written. */
function unwritable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(code);
}
