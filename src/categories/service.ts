import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { changedFields, type AuditLog } from '../audit/service.js';
import type { Principal } from '../auth/service.js';
import type { Db, Tx } from '../db/client.js';
import { reusableStatement } from '../db/statement.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.js';
import { keyset, type Page } from '../db/keyset.js';
import { categories, tickets, type CategoryRow, type CategoryTranslations } from '../db/schema.js';
import { activeStatuses } from '../tickets/ticket-status.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { createLocalCache } from '../platform/local-cache.js';
import type { PubSub } from '../platform/pubsub.js';
import { requiredPlainText, toPlainText } from '../content/plain-text.js';
import { defaultCategory } from './default-category.js';
import {
  toCategoryDto,
  type CategoryDto,
  type CategoryInput,
  type CategoryPatch,
} from './schemas.js';

/** Names the default category's creation among PostgreSQL advisory locks (docs/architecture.md). */
const DEFAULT_CATEGORY_LOCK_KEY = 727_274_004;

/** What `remove` did: a category no ticket uses is deleted; one in use is only deactivated. */
export type CategoryRemoval = { deleted: true } | { deleted: false; category: CategoryDto };

// Display order: by sort_order, then name; the id makes it total, as keyset paging needs.
const displayOrder = keyset({
  name: 'categories:sort_order',
  descending: false,
  columns: { sortOrder: categories.sortOrder, name: categories.name, id: categories.id },
});

function duplicateName(name: string): Conflict {
  return new Conflict(`A category named “${name}” already exists`, 'duplicate_name');
}

/** Keeps names and descriptions plain text, like every other text users see. */
function clean<
  T extends {
    name?: string;
    description?: string;
    icon?: string;
    translations?: CategoryTranslations;
  },
>(input: T): T {
  const result = { ...input };
  if (result.name !== undefined) {
    result.name = requiredPlainText(result.name, 'name');
  }
  if (result.description !== undefined) {
    result.description = toPlainText(result.description, 'description');
  }
  if (result.icon !== undefined) result.icon = toPlainText(result.icon, 'icon');
  if (result.translations !== undefined) {
    result.translations = Object.fromEntries(
      Object.entries(result.translations).map(([language, text]) => [
        language,
        {
          name: requiredPlainText(text.name, `translations.${language}.name`),
          ...(text.description === undefined
            ? {}
            : {
                description: toPlainText(text.description, `translations.${language}.description`),
              }),
        },
      ]),
    );
  }
  return result;
}

/** Refuses (422) an order that does not name every category exactly once. */
function refuseUnlessEvery(current: readonly CategoryRow[], ids: readonly string[]): void {
  const known = new Set(current.map((row) => row.id));
  const given = new Set(ids);
  const problems: { field: string; message: string }[] = [];
  if (given.size !== ids.length) problems.push({ field: 'ids', message: 'names a category twice' });
  const unknown = [...given].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    problems.push({ field: 'ids', message: `names unknown categories: ${unknown.join(', ')}` });
  }
  const missing = [...known].filter((id) => !given.has(id));
  if (missing.length > 0) {
    problems.push({ field: 'ids', message: `leaves out categories: ${missing.join(', ')}` });
  }
  if (problems.length > 0) {
    throw new Invalid('Give every category exactly once, in the new order', problems);
  }
}

/** The pub/sub channel a change of categories is announced on: every process drops its lists. */
export const categoriesChangedChannel = 'categories.changed';

/**
 * Creates the categories service: the only writer of `categories`. Pages of the list are kept in
 * each process's memory (every new-ticket form and `/support` reads them; admins rarely change
 * them), dropped by this process's changes once committed, by every process's announcement over
 * `pubsub`, all of them when pub/sub comes back after a loss, and after 30 s in any case; while
 * pub/sub does not reach the others (`live` false) nothing is kept.
 */
export function createCategoryService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  pubsub?: PubSub;
  live?: () => boolean;
}) {
  const { db, clock, audit, pubsub } = deps;
  const listed = createLocalCache<Page<CategoryRow>>({
    now: () => clock.now().getTime(),
    live: pubsub ? (deps.live ?? (() => true)) : () => false,
    ttlMs: 30_000,
    maxEntries: 1_000,
    againAfterMs: 500,
  });

  /** Runs a change in a transaction; once it has committed every process drops its lists. */
  async function change<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await db.transaction(work);
    listed.clear();
    // Unannounced (Redis away), the others drop their lists when pub/sub is back, or in 30 s.
    await pubsub?.publish(categoriesChangedChannel, {}).catch(() => {});
    return result;
  }

  async function readPage(options: { includeInactive: boolean; limit: number; cursor?: string }) {
    const rows = await db
      .select()
      .from(categories)
      .where(
        and(
          options.includeInactive ? undefined : eq(categories.isActive, true),
          displayOrder.after(options.cursor),
        ),
      )
      .orderBy(...displayOrder.orderBy())
      .limit(options.limit + 1);
    return displayOrder.page(rows, options.limit, (row) => row);
  }

  async function find(executor: Db | Tx, id: string): Promise<CategoryRow | undefined> {
    const [row] = await executor.select().from(categories).where(eq(categories.id, id));
    return row;
  }

  /** As `find`, holding the row until the transaction ends, so it cannot be deleted meanwhile. */
  // Every new ticket reads its category so: built once (`db/statement.ts`).
  const byIdShared = reusableStatement(db, 'categories_by_id_for_share', (on) =>
    on
      .select()
      .from(categories)
      .where(eq(categories.id, sql.placeholder('id')))
      .for('share'),
  );

  async function findShared(tx: Db | Tx, id: string): Promise<CategoryRow | undefined> {
    const [row] = await byIdShared(tx, { id });
    return row;
  }

  /** Inserts a category and records its creation (by `actorId`; null for the system). */
  async function insert(tx: Tx, actorId: string | null, values: CategoryInput) {
    const now = clock.now();
    const [row] = await tx
      .insert(categories)
      .values({
        name: values.name,
        description: values.description,
        icon: values.icon,
        color: values.color,
        sortOrder: values.sort_order,
        isActive: values.is_active,
        translations: values.translations ?? {},
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    const dto = toCategoryDto(row);
    await audit.record(tx, {
      actorId,
      action: 'category.created',
      entityType: 'category',
      entityId: row.id,
      after: dto,
    });
    return dto;
  }

  /**
   * How many open, in-progress or waiting tickets each of these categories has, in one grouped
   * query (categories without any are left out).
   */
  async function openCounts(executor: Db | Tx, ids: readonly string[]) {
    if (ids.length === 0) return new Map<string, number>();
    const rows = await executor
      .select({ categoryId: tickets.categoryId, n: count() })
      .from(tickets)
      .where(
        and(inArray(tickets.categoryId, [...ids]), inArray(tickets.status, [...activeStatuses])),
      )
      .groupBy(tickets.categoryId);
    return new Map(rows.map((row) => [row.categoryId, row.n]));
  }

  /** Rows in API shape, each with its open tickets when `withOpenCounts`. */
  async function withCounts(
    executor: Db | Tx,
    rows: CategoryRow[],
    withOpenCounts: boolean,
  ): Promise<CategoryDto[]> {
    if (!withOpenCounts) return rows.map((row) => toCategoryDto(row));
    const counts = await openCounts(
      executor,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toCategoryDto(row, counts.get(row.id) ?? 0));
  }

  return {
    /**
     * On an install's first start, adds the default category, so customers can open tickets
     * before anyone has set categories up. "First start" is read from the data: no category
     * exists (an inactive one counts) and none ever did (the audit log records every creation
     * and deletion), so an admin who removed them all is not overruled by a restart. Instances
     * starting at once take turns under an advisory lock; resolves to the category if this
     * call created it.
     */
    async createDefaultOnFirstStart(): Promise<CategoryDto | undefined> {
      return change(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${DEFAULT_CATEGORY_LOCK_KEY})`);
        const [existing] = await tx.select({ id: categories.id }).from(categories).limit(1);
        if (existing || (await audit.hasAny(tx, 'category'))) return undefined;
        return insert(tx, null, defaultCategory);
      });
    },

    /** Which of `ids` name no category (active or not), in the order given. */
    async missingIds(tx: Db | Tx, ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await tx
        .select({ id: categories.id })
        .from(categories)
        .where(inArray(categories.id, [...ids]));
      const found = new Set(rows.map((row) => row.id));
      return ids.filter((id) => !found.has(id));
    },

    /**
     * A page of categories in display order; active ones only unless `includeInactive`; with
     * each one's open tickets when `withOpenCounts` (for staff).
     */
    async list(options: {
      includeInactive: boolean;
      withOpenCounts?: boolean;
      limit: number;
      cursor?: string;
    }): Promise<Page<CategoryDto>> {
      const key = `${options.includeInactive}:${options.limit}:${options.cursor ?? ''}`;
      const page = (await listed.get(key, () => readPage(options))) as Page<CategoryRow>;
      return {
        items: await withCounts(db, page.items, options.withOpenCounts ?? false),
        next_cursor: page.next_cursor,
      };
    },

    /**
     * Starts dropping the lists on every process's change, and all of them when pub/sub comes
     * back after a loss (changes may have been missed); resolves to the stop.
     */
    async follow(): Promise<() => Promise<void>> {
      if (!pubsub) return () => Promise.resolve();
      const stopChanges = await pubsub.subscribe(categoriesChangedChannel, () => listed.clear());
      const stopReconnect = pubsub.onReconnect(() => listed.clear());
      return async () => {
        stopReconnect();
        await stopChanges();
      };
    },

    /** Drops the lists kept in memory: categories were written outside this service (a test). */
    forgetLists(): void {
      listed.clear();
    },

    /**
     * Puts every category in the given order (admins): `sort_order` becomes each one's place,
     * in one transaction, with an audit entry for each that moved. `ids` must name every
     * category exactly once (422 otherwise). Resolves to all categories in the new order, with
     * their open tickets.
     */
    async reorder(actor: Principal, ids: readonly string[]): Promise<CategoryDto[]> {
      return change(async (tx) => {
        // Locked, so a category created or deleted meanwhile waits rather than being missed.
        const current = await tx.select().from(categories).for('update');
        refuseUnlessEvery(current, ids);
        const place = new Map(ids.map((id, index) => [id, index]));
        const moved = current.filter((row) => row.sortOrder !== place.get(row.id));
        if (moved.length > 0) {
          const list = sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          );
          await tx.execute(sql`
            update ${categories} set sort_order = o.ord - 1, updated_at = ${clock.now()}
            from unnest(array[${list}]::uuid[]) with ordinality as o(id, ord)
            where ${categories.id} = o.id and ${categories.sortOrder} <> o.ord - 1`);
        }
        for (const row of moved) {
          await audit.record(tx, {
            actorId: actor.userId,
            action: 'category.reordered',
            entityType: 'category',
            entityId: row.id,
            before: { sort_order: row.sortOrder },
            after: { sort_order: place.get(row.id) },
          });
        }
        const rows = await tx
          .select()
          .from(categories)
          .orderBy(...displayOrder.orderBy());
        return withCounts(tx, rows, true);
      });
    },

    /** One category; an inactive one only when `includeInactive`. */
    async get(id: string, options: { includeInactive: boolean }): Promise<CategoryDto> {
      const row = await find(db, id);
      if (!row || (!row.isActive && !options.includeInactive)) {
        throw new NotFound('Category not found');
      }
      return toCategoryDto(row);
    },

    /**
     * Refuses (422, on `field`) a category that does not exist or no longer takes tickets.
     * Pass the transaction the ticket is written in: the category is held until it ends, so a
     * concurrent delete waits and then finds it in use.
     */
    async requireActive(tx: Db | Tx, id: string, field = 'category_id'): Promise<void> {
      const row = await findShared(tx, id);
      if (!row) throw new Invalid('Unknown category', [{ field, message: 'is not a category' }]);
      if (!row.isActive) {
        throw new Invalid('This category no longer takes tickets', [
          { field, message: 'is not active' },
        ]);
      }
    },

    /** Adds a category (admins). Names are unique regardless of case (409). */
    async create(actor: Principal, input: CategoryInput): Promise<CategoryDto> {
      const values = clean(input);
      try {
        return await change((tx) => insert(tx, actor.userId, values));
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicateName(values.name);
        throw error;
      }
    },

    /** Changes a category (admins); a no-op when nothing differs. */
    async update(actor: Principal, id: string, patch: CategoryPatch): Promise<CategoryDto> {
      const values = clean(patch);
      try {
        return await change(async (tx) => {
          const current = await find(tx, id);
          if (!current) throw new NotFound('Category not found');
          const before = toCategoryDto(current);
          const wanted = {
            name: values.name ?? before.name,
            description: values.description ?? before.description,
            icon: values.icon ?? before.icon,
            color: values.color ?? before.color,
            is_active: values.is_active ?? before.is_active,
            sort_order: values.sort_order ?? before.sort_order,
            translations: values.translations ?? before.translations,
          };
          const diff = changedFields({ ...before }, { ...before, ...wanted });
          if (!diff) return before;
          const [row] = await tx
            .update(categories)
            .set({
              name: wanted.name,
              description: wanted.description,
              icon: wanted.icon,
              color: wanted.color,
              isActive: wanted.is_active,
              sortOrder: wanted.sort_order,
              translations: wanted.translations,
              updatedAt: clock.now(),
            })
            .where(eq(categories.id, id))
            .returning();
          if (!row) throw new NotFound('Category not found');
          await audit.record(tx, {
            actorId: actor.userId,
            action: 'category.updated',
            entityType: 'category',
            entityId: id,
            ...diff,
          });
          return toCategoryDto(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicateName(values.name ?? '');
        throw error;
      }
    },

    /**
     * Deletes a category no ticket uses. One in use is deactivated instead, so its tickets keep
     * their category and no new ticket can take it.
     */
    async remove(actor: Principal, id: string): Promise<CategoryRemoval> {
      return change(async (tx) => {
        const current = await find(tx, id);
        if (!current) throw new NotFound('Category not found');
        const before = toCategoryDto(current);
        try {
          // A savepoint: if tickets still reference it, only this delete is undone.
          await tx.transaction((savepoint) =>
            savepoint.delete(categories).where(eq(categories.id, id)),
          );
        } catch (error) {
          if (!isForeignKeyViolation(error)) throw error;
          const [row] = await tx
            .update(categories)
            .set({ isActive: false, updatedAt: clock.now() })
            .where(eq(categories.id, id))
            .returning();
          if (!row) throw new NotFound('Category not found');
          if (before.is_active) {
            await audit.record(tx, {
              actorId: actor.userId,
              action: 'category.deactivated',
              entityType: 'category',
              entityId: id,
              before: { is_active: true },
              after: { is_active: false },
            });
          }
          return { deleted: false, category: toCategoryDto(row) };
        }
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'category.deleted',
          entityType: 'category',
          entityId: id,
          before,
        });
        return { deleted: true };
      });
    },
  };
}

/** The categories service. */
export type CategoryService = ReturnType<typeof createCategoryService>;
