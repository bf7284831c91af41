import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service.js';
import type { Actor } from '../auth/principal.js';
import type { CategoryService } from '../categories/service.js';
import type { Config } from '../config.js';
import type { Db, Tx } from '../db/client.js';
import { settings, type SettingsRow } from '../db/schema.js';
import { Invalid } from '../errors.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { Cache } from '../platform/cache.js';
import { createLocalCache } from '../platform/local-cache.js';
import type { Clock } from '../platform/clock.js';
import type { PubSub } from '../platform/pubsub.js';
import type { UserService } from '../users/service.js';
import {
  settingsGroupNames,
  settingsGroups,
  type SettingsDto,
  type SettingsGroup,
  type SettingsPatch,
  type SettingsValues,
} from './schemas.js';

/** The cache entry every process reads the settings through. */
const cacheKey = 'settings:v1';
/** How long a cached copy may serve if its invalidation was lost (Redis briefly away). */
const CACHE_TTL_S = 60;
/** Longer than any read of the rows that could race a save (as `users/service.ts` does). */
const SECOND_INVALIDATION_MS = 250;
/** The pub/sub channel a save is announced on: every process drops its copy in memory. */
export const settingsSavedChannel = 'settings.saved';
/**
 * How long this process's copy in memory serves at most: the bound on a save whose announcement
 * was lost.
 */
const LOCAL_TTL_MS = 30_000;
/** Past the shared cache's second drop: a read racing the save may have written it back. */
const LOCAL_SECOND_DROP_MS = 500;
/** An arbitrary constant naming the lock saves take turns under (the others are 727_274_0xx). */
const saveLockKey = 727_274_020;

/**
 * The audit log's entity id of the settings (its entity ids are UUIDs; the settings are one
 * thing): the nil UUID, so their history is `entity_type = 'settings'` with this id.
 */
export const settingsEntityId = '00000000-0000-0000-0000-000000000000';

/** What the groups are before an admin saves them: the environment's values, else built-ins. */
export function defaultSettings(
  config: Pick<Config, 'REMINDER_CRON' | 'REMINDER_AFTER_H' | 'TELEGRAM_STAFF_CHAT_ID'>,
): SettingsValues {
  return {
    support_hours: { time_zone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
    reminders: { cron: config.REMINDER_CRON, after_hours: config.REMINDER_AFTER_H },
    auto_close: { after_days: 0 },
    greeting: { ru: '', en: '' },
    routing: { mode: 'all', categories: {} },
    staff_chat: {
      chat_id: config.TELEGRAM_STAFF_CHAT_ID ?? null,
      sign_replies: true,
      member_role: 'agent',
    },
    sla: {
      low: { first_response: 8 * 60, resolution: 72 * 60 },
      normal: { first_response: 4 * 60, resolution: 24 * 60 },
      high: { first_response: 60, resolution: 8 * 60 },
      critical: { first_response: 15, resolution: 4 * 60 },
    },
    scheduled_report: { frequency: 'weekly', weekday: 1, time: '09:00' },
  };
}

/**
 * Creates the settings service: the only writer of `settings`. Reads are served from this
 * process's memory, else the shared cache (Redis with several processes), else the database. A
 * save drops the shared copy after commit and announces itself on pub/sub, and every process
 * drops its copy in memory on the announcement, so each uses the new values from its next read,
 * without a restart. While pub/sub does not reach the other processes (`live` false) nothing is
 * kept in memory. `onRemindersChanged` runs after a save that changed the reminder schedule (to
 * move the job queue's cron).
 */
export function createSettingsService(deps: {
  db: Db;
  uow: UnitOfWork;
  cache: Cache;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  defaults: SettingsValues;
  /** Which category ids exist, for checking `routing`. */
  categories: Pick<CategoryService, 'missingIds'>;
  users: Pick<UserService, 'activeStaffIds'>;
  onRemindersChanged?: (reminders: SettingsValues['reminders']) => Promise<void>;
  /** Where saves are announced to every process; none: nothing is kept in memory. */
  pubsub?: PubSub;
  /** True while pub/sub reaches every other process (default: true). */
  live?: () => boolean;
  /**
   * Why this chat cannot be the staff group (asked of Telegram: `threads/check-staff-chat.ts`),
   * or undefined when it can; none: every chat is refused (the bot is off).
   */
  staffChatProblem?: (chatId: number) => Promise<string | undefined>;
}) {
  const { db, uow, cache, clock, audit, logger, defaults } = deps;

  /** The settings from `rows` over the defaults; a stored group that no longer parses is ignored. */
  function fromRows(rows: readonly SettingsRow[]): SettingsDto {
    const values: Record<string, unknown> = { ...defaults };
    let latest: SettingsRow | undefined;
    for (const row of rows) {
      if (!(row.key in settingsGroups)) continue;
      const parsed = settingsGroups[row.key as SettingsGroup].safeParse(row.value);
      if (parsed.success) values[row.key] = parsed.data;
      else
        logger.warn({ group: row.key }, 'settings: a stored group is invalid; its default is used');
      if (!latest || row.updatedAt > latest.updatedAt) latest = row;
    }
    return {
      ...(values as SettingsValues),
      updated_at: latest?.updatedAt.toISOString() ?? null,
      updated_by: latest?.updatedBy ?? null,
    };
  }

  async function load(executor: Db | Tx = db): Promise<SettingsDto> {
    return fromRows(await executor.select().from(settings));
  }

  // The settings every new ticket, follow-up and staff post reads (two reads per write), kept
  // in memory while saves are announced: a finished read only, never one under way, which the
  // caller's transaction could be waiting behind (one PGlite session).
  const live = deps.live ?? (() => true);
  const local = createLocalCache<SettingsDto>({
    now: () => clock.now().getTime(),
    live: () => deps.pubsub !== undefined && live(),
    ttlMs: LOCAL_TTL_MS,
    maxEntries: 1,
    againAfterMs: LOCAL_SECOND_DROP_MS,
    shareReads: false,
  });
  /** Drops the copy in memory now and once more a moment later (a racing write-back). */
  const dropLocal = () => local.forget(cacheKey);

  /** Through the shared cache, from the database on a miss. */
  async function sharedRead(tx?: Tx): Promise<SettingsDto> {
    const cached = await cache.get<SettingsDto>(cacheKey);
    if (cached) return cached;
    const fresh = await load(tx);
    await cache.set(cacheKey, fresh, CACHE_TTL_S);
    return fresh;
  }

  /** Drops the cached copy now and once more a moment later (a read racing the save). */
  async function invalidate(): Promise<void> {
    await cache.delete(cacheKey);
    setTimeout(() => {
      cache.delete(cacheKey).catch(() => {
        // Shutting down, or the cache is unreachable: the entry expires by itself.
      });
    }, SECOND_INVALIDATION_MS).unref();
  }

  /** Refuses (422) routing that names unknown categories or people who are not active staff. */
  async function checkRouting(tx: Tx, routing: SettingsValues['routing']): Promise<void> {
    const categoryIds = Object.keys(routing.categories);
    const missing = await deps.categories.missingIds(tx, categoryIds);
    const staff = new Set(await deps.users.activeStaffIds(tx));
    const errors = [
      ...missing.map((id) => ({
        field: `routing.categories.${id}`,
        message: 'is not a category',
      })),
      ...Object.entries(routing.categories).flatMap(([categoryId, userIds]) =>
        userIds
          .filter((userId) => !staff.has(userId))
          .map((userId) => ({
            field: `routing.categories.${categoryId}`,
            message: `${userId} is not an active staff member`,
          })),
      ),
    ];
    if (errors.length > 0) {
      throw new Invalid('Routing names categories or people that cannot take tickets', errors);
    }
  }

  /**
   * Refuses (422) a new staff chat Telegram says the bot cannot use. Asked before the save's
   * transaction, so no lock is held while Telegram answers.
   */
  async function checkStaffChat(patch: SettingsPatch): Promise<void> {
    const chatId = patch.staff_chat?.chat_id;
    if (chatId === undefined || chatId === null) return;
    if ((await load()).staff_chat.chat_id === chatId) return;
    const problem = deps.staffChatProblem
      ? await deps.staffChatProblem(chatId)
      : 'cannot be checked: the bot is off (no TELEGRAM_BOT_TOKEN)';
    if (problem) {
      throw new Invalid('Telegram says the bot cannot use this staff group', [
        { field: 'staff_chat.chat_id', message: problem },
      ]);
    }
  }

  /** Every group to save whose value differs from the current one, with both values. */
  function changesOf(current: SettingsDto, patch: SettingsPatch) {
    return settingsGroupNames.flatMap((group) => {
      const next = patch[group];
      if (next === undefined) return [];
      if (JSON.stringify(next) === JSON.stringify(current[group])) return [];
      return [{ group, before: current[group], after: next }];
    });
  }

  return {
    /**
     * The settings now in force: through the cache, read from the database on a miss (in `tx`
     * when the caller holds a transaction: on PGlite a read beside it would wait for it forever).
     */
    current(tx?: Tx): Promise<SettingsDto> {
      // The read always gives settings (the defaults at least), so what is kept is never empty.
      return local.get(cacheKey, () => sharedRead(tx)) as Promise<SettingsDto>;
    },

    /**
     * Drops the copy in memory on every process's save (and when pub/sub comes back after a
     * loss: saves may have been missed); resolves to the stop.
     */
    async follow(): Promise<() => Promise<void>> {
      const { pubsub } = deps;
      if (!pubsub) return () => Promise.resolve();
      const stopSaves = await pubsub.subscribe(settingsSavedChannel, dropLocal);
      const stopReconnect = pubsub.onReconnect(dropLocal);
      return async () => {
        stopReconnect();
        await stopSaves();
      };
    },

    /**
     * Saves the groups of `patch` (each replaced whole), recording the change in the audit log;
     * answers the settings after it. Saves take turns, so each entry's "before" is true.
     */
    async update(actor: Actor, patch: SettingsPatch): Promise<SettingsDto> {
      await checkStaffChat(patch);
      const { saved, changed } = await uow.run(async (work) => {
        const { tx } = work;
        await tx.execute(sql`select pg_advisory_xact_lock(${saveLockKey})`);
        if (patch.routing) await checkRouting(tx, patch.routing);
        const current = await load(tx);
        const changes = changesOf(current, patch);
        if (changes.length === 0) return { saved: current, changed: [] };
        const now = clock.now();
        for (const { group, after } of changes) {
          await tx
            .insert(settings)
            .values({ key: group, value: after, updatedAt: now, updatedBy: actor.userId })
            .onConflictDoUpdate({
              target: settings.key,
              set: { value: after, updatedAt: now, updatedBy: actor.userId },
            });
        }
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'settings.updated',
          entityType: 'settings',
          entityId: settingsEntityId,
          before: Object.fromEntries(changes.map((change) => [change.group, change.before])),
          after: Object.fromEntries(changes.map((change) => [change.group, change.after])),
        });
        work.afterCommit(async () => {
          dropLocal();
          await invalidate();
          await deps.pubsub?.publish(settingsSavedChannel, {});
        });
        return { saved: await load(tx), changed: changes.map((change) => change.group) };
      });
      if (changed.includes('reminders') && deps.onRemindersChanged) {
        await deps.onRemindersChanged(saved.reminders);
      }
      return saved;
    },
  };
}

/** The settings service. */
export type SettingsService = ReturnType<typeof createSettingsService>;
