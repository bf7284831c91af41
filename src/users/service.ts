import { and, asc, count, eq, gte, inArray, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { AuditEntryDto } from '../audit/schemas.js';
import type { AuditLog, HistoryQuery } from '../audit/service.js';
import { can, canGrantRole, canModerate, isStaff } from '../auth/permissions.js';
import type { Actor } from '../auth/principal.js';
import type { TelegramUser } from '../auth/verify-init-data.js';
import type { Db, Tx } from '../db/client.js';
import { reusableStatement } from '../db/statement.js';
import { keyset, type Page } from '../db/keyset.js';
import {
  userRoles,
  users,
  type NotificationSettings,
  type UserRole,
  type UserRow,
} from '../db/schema.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { accessChanged } from '../events/domain-events.js';
import type { UnitOfWork, Work } from '../events/unit-of-work.js';
import type { Cache } from '../platform/cache.js';
import type { LocalCache } from '../platform/local-cache.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import { avatarJob, avatarMaxAgeMs, type AvatarJob } from './avatar-job.js';
import {
  avatarPath,
  toUserDto,
  type AuthorDto,
  type UserDto,
  type UserFilters,
  type UserListQuery,
} from './schemas.js';
import { userFilterCondition } from './list-filters.js';
import type { StaffCache } from './staff-cache.js';
import { lockWithOwners, requirePermission, type StaffChange } from './staff-changes.js';

/** What a request needs to know about its user; cached, and dropped on every change. */
export interface UserAccess {
  id: string;
  role: UserRole;
  is_active: boolean;
}

/** What notification delivery needs to know about a user. */
export interface DeliveryProfile {
  id: string;
  telegramId: number;
  role: UserRole;
  isActive: boolean;
  languageCode: string | null;
  notificationSettings: NotificationSettings;
  botBlockedAt: Date | null;
}

/** A staff member's delivery profile, and whether they are on duty (`on_duty` routing). */
export interface StaffProfile extends DeliveryProfile {
  onDuty: boolean;
}

const staffRoles = userRoles.filter((role) => isStaff(role));

/** The after-commit step that drops the staff cache, once per unit of work. */
const staffChangedStep = 'users:staff-changed';

/** The columns of a `DeliveryProfile`. */
const deliveryColumns = {
  id: users.id,
  telegramId: users.telegramId,
  role: users.role,
  isActive: users.isActive,
  languageCode: users.languageCode,
  notificationSettings: users.notificationSettings,
  botBlockedAt: users.botBlockedAt,
};

/**
 * Tells a person, in the unit of work of the change, that they were blocked (with the reason,
 * if one was given) or unblocked (`NotificationService.accountStatusChanged`).
 */
export type StatusNotice = (
  work: Work,
  user: { id: string; isActive: boolean },
  reason: string | null,
) => Promise<void>;

/** Profile fields a user may change themself. */
export interface ProfilePatch {
  language_code?: string;
  notification_settings?: NotificationSettings;
  /** Staff only: whether new tickets reach them when routing is `on_duty`. */
  on_duty?: boolean;
}

export type { Actor } from '../auth/principal.js';

const ACCESS_TTL_S = 60;
/** Users per query of an export. */
const EXPORT_BATCH = 500;
/** Longer than any read of the access row that could race a change. */
const SECOND_INVALIDATION_MS = 250;
const accessKey = (userId: string) => `user-access:${userId}`;

// Newest first; ids are UUIDv7, so they break ties of one millisecond in time order too.
const newestFirst = keyset({
  name: 'users:-created_at',
  descending: true,
  columns: { createdAt: users.createdAt, id: users.id },
});

/** What a message shows of its author (`toAuthor`), for a read that joins `users`. */
export const authorColumns = {
  id: users.id,
  first_name: users.firstName,
  last_name: users.lastName,
  avatarKey: users.avatarKey,
  avatarFetchedAt: users.avatarFetchedAt,
  role: users.role,
};

/** A row of `authorColumns` in API shape. */
export function toAuthor({
  role,
  avatarKey,
  avatarFetchedAt,
  ...author
}: {
  id: string;
  first_name: string;
  last_name: string | null;
  avatarKey: string | null;
  avatarFetchedAt: Date | null;
  role: UserRole;
}): AuthorDto {
  return {
    ...author,
    avatar_url: avatarPath({ id: author.id, avatarKey, avatarFetchedAt }),
    is_staff: isStaff(role),
  };
}

/** Creates the users service: the only writer of the `users` table. */
export function createUserService(deps: {
  db: Db;
  /** Role changes and blocks raise `user.access_changed` through it, so open sockets re-check. */
  uow: UnitOfWork;
  cache: Cache;
  /**
   * Access kept in this process in front of `cache` (`auth/access-cache.ts`); dropped here on
   * every change of it, and by every process's `user.access_changed`.
   */
  localAccess?: LocalCache<UserAccess>;
  clock: Clock;
  audit: AuditLog;
  ownerTelegramIds: readonly number[];
  /** Where sign-in queues the refresh of a stale avatar (`avatars.ts`); none: no refresh. */
  queue?: Pick<JobQueue, 'send' | 'wake' | 'isRunning'>;
  /**
   * The active staff's profiles kept in memory (`staff-cache.ts`), dropped here once a change of
   * any of them has committed; none: read on every call.
   */
  staffCache?: StaffCache<StaffProfile[]>;
}) {
  const { db, uow, cache, clock, audit } = deps;

  /**
   * Queues the fetch of the user's avatar, in the sign-in's transaction, when it was never
   * looked for or not for a day (`avatarMaxAgeMs`); one job per user at a time.
   */
  async function queueStaleAvatar(work: Work, row: UserRow): Promise<void> {
    const { queue } = deps;
    if (!queue?.isRunning()) return;
    const fetchedAt = row.avatarFetchedAt?.getTime();
    if (fetchedAt !== undefined && clock.now().getTime() - fetchedAt < avatarMaxAgeMs) return;
    await queue.send<AvatarJob>(
      avatarJob,
      { user_id: row.id },
      {
        singletonKey: `avatar:${row.id}`,
        retryLimit: 3,
        retryBackoff: true,
        executor: transactionExecutor(work.tx),
      },
    );
    work.afterCommit(() => queue.wake(avatarJob), `wake:${avatarJob}`);
  }
  // Authors of a page of messages, by one prepared statement whatever their number (see the
  // ticket reads in tickets/queries.ts for why).
  const authorsById = db
    .select(authorColumns)
    .from(users)
    .where(sql`${users.id} = any(${sql.placeholder('ids')}::uuid[])`)
    .prepare('users_authors');
  const owners = new Set(deps.ownerTelegramIds);

  async function update(
    userId: string,
    changes: Partial<Omit<UserRow, 'id' | 'updatedAt'>>,
    executor: Db | Tx = db,
  ): Promise<UserRow> {
    const [row] = await executor
      .update(users)
      .set({ ...changes, updatedAt: clock.now() })
      .where(eq(users.id, userId))
      .returning();
    if (!row) throw new NotFound('User not found');
    return row;
  }

  /** Drops every process's copy of the active staff (`staff-cache.ts`); once a change committed. */
  async function staffChanged(): Promise<void> {
    await deps.staffCache?.changed();
  }

  /** A staff member's delivery profile changed in `work`: the staff cache goes after commit. */
  function staffChangedIn(work: Work, row: Pick<UserRow, 'role'>): void {
    if (isStaff(row.role)) work.afterCommit(staffChanged, staffChangedStep);
  }

  /**
   * Drops the cached access now and once more a moment later: a request that read the old row
   * just before the change committed may write it back to the cache after the first delete.
   */
  async function invalidate(userId: string): Promise<void> {
    const key = accessKey(userId);
    deps.localAccess?.forget(userId);
    await cache.delete(key);
    setTimeout(() => {
      cache.delete(key).catch(() => {
        // Shutting down, or the cache is unreachable: the entry expires by itself.
      });
    }, SECOND_INVALIDATION_MS).unref();
  }

  /**
   * A change of role or block state in `work`: once it has committed, the cached access is
   * dropped, then the new access is announced (`user.access_changed`) so the realtime gateway
   * re-checks that user's sockets (with the cache already dropped).
   */
  function announce(work: Work, row: UserRow, actorId: string | null): void {
    work.afterCommit(() => invalidate(row.id));
    work.afterCommit(staffChanged, staffChangedStep);
    work.raise(
      accessChanged({ id: row.id, role: row.role, is_active: row.isActive }, actorId, clock.now()),
    );
  }

  /**
   * One staff change of a user, in one unit of work: lock them (and the owners), let `decide`
   * check it and name the change (undefined: nothing to do), write it with its audit entry,
   * then after commit drop the cached access so it applies on the user's next request, and
   * announce it so their open sockets are re-checked at once.
   */
  async function applyChange(
    actor: Actor,
    userId: string,
    decide: (target: UserRow, spareOwners: number) => StaffChange | undefined,
    then?: (work: Work, row: UserRow) => Promise<void>,
  ): Promise<UserRow> {
    return uow.run(async (work) => {
      const { tx } = work;
      const { target, spareOwners } = await lockWithOwners(tx, userId);
      const change = decide(target, spareOwners);
      if (!change) return target;
      const row = await update(userId, change.changes, tx);
      await audit.record(tx, {
        actorId: actor.userId,
        action: change.action,
        entityType: 'user',
        entityId: userId,
        before: change.before,
        after: change.after,
      });
      announce(work, row, actor.userId);
      await then?.(work, row);
      return row;
    });
  }

  /** Role and block state from the shared cache, else the database. */
  async function sharedAccess(userId: string): Promise<UserAccess | undefined> {
    const cached = await cache.get<UserAccess>(accessKey(userId));
    if (cached) return cached;
    const [row] = await db
      .select({ id: users.id, role: users.role, is_active: users.isActive })
      .from(users)
      .where(eq(users.id, userId));
    if (row) await cache.set(accessKey(userId), row, ACCESS_TTL_S);
    return row;
  }

  // A user by id: what `GET /auth/me` reads, built once (see the ticket reads in tickets/queries.ts).
  const byId = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('users_by_id');

  async function getById(userId: string): Promise<UserRow> {
    const [row] = await byId.execute({ id: userId });
    if (!row) throw new NotFound('User not found');
    return row;
  }

  /**
   * Ids of every active agent-or-above user (the audience of staff notifications), or only
   * those on duty; in `tx` when the caller's change depends on them.
   */
  async function activeStaffIds(
    tx: Db | Tx = db,
    options: { onDutyOnly?: boolean } = {},
  ): Promise<string[]> {
    const rows = await tx
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.isActive, true),
          inArray(users.role, staffRoles),
          options.onDutyOnly ? eq(users.onDuty, true) : undefined,
        ),
      );
    return rows.map((row) => row.id);
  }

  const profilesById = reusableStatement(db, 'users_delivery_profiles', (on) =>
    on
      .select(deliveryColumns)
      .from(users)
      .where(sql`${users.id} = any(${sql.placeholder('ids')}::uuid[])`),
  );

  /**
   * What notification delivery needs to know about each of these users, and of those `alsoIn`
   * names (a subquery of user ids from another feature, e.g. who wrote in a ticket), in one
   * statement.
   */
  async function deliveryProfiles(
    tx: Db | Tx,
    userIds: readonly string[],
    alsoIn?: SQLWrapper,
  ): Promise<DeliveryProfile[]> {
    if (userIds.length === 0 && !alsoIn) return [];
    // A list alone, the common case (each notice's delivery reads its recipient's): built once.
    if (!alsoIn) return profilesById(tx, { ids: [...new Set(userIds)] });
    const listed = userIds.length > 0 ? inArray(users.id, [...new Set(userIds)]) : undefined;
    return tx
      .select(deliveryColumns)
      .from(users)
      .where(alsoIn ? or(listed, inArray(users.id, alsoIn)) : listed);
  }

  /**
   * What notification delivery needs to know about every active agent-or-above user, and
   * whether each is on duty: the ids and the profiles of `activeStaffIds` and `deliveryProfiles`
   * in one statement (a new ticket or follow-up reads them on every request).
   */
  async function activeStaffProfiles(tx: Db | Tx = db): Promise<StaffProfile[]> {
    // A promise of the rows, not Drizzle's query (which runs again each time it is awaited).
    const read = async (): Promise<StaffProfile[]> =>
      await tx
        .select({ ...deliveryColumns, onDuty: users.onDuty })
        .from(users)
        .where(and(eq(users.isActive, true), inArray(users.role, staffRoles)));
    return deps.staffCache ? deps.staffCache.get(read) : read();
  }

  async function* batchesOf(filters: UserFilters, batchSize: number): AsyncGenerator<UserRow[]> {
    let cursor: string | undefined;
    do {
      const rows = await db
        .select()
        .from(users)
        .where(and(userFilterCondition(filters), newestFirst.after(cursor)))
        .orderBy(...newestFirst.orderBy())
        .limit(batchSize + 1);
      const page = newestFirst.page(rows, batchSize, (row) => row);
      if (page.items.length > 0) yield page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  return {
    /** How many users were seen (signed in, wrote to the bot) since `since`. */
    async seenSince(since: Date): Promise<number> {
      const [row] = await db
        .select({ count: count() })
        .from(users)
        .where(gte(users.lastSeenAt, since));
      return row?.count ?? 0;
    },

    /**
     * Creates the user on first sign-in and refreshes their Telegram profile on later ones.
     * Telegram ids named in OWNER_TELEGRAM_IDS become owners.
     */
    async upsertFromTelegram(profile: TelegramUser): Promise<UserRow> {
      const now = clock.now();
      const fields = {
        username: profile.username ?? null,
        firstName: profile.first_name,
        lastName: profile.last_name ?? null,
        isPremium: profile.is_premium ?? false,
        avatarUrl: profile.photo_url ?? null,
        lastSeenAt: now,
      };
      const isOwner = owners.has(profile.id);
      const changed = [
        sql`${users.username} is distinct from excluded.username`,
        sql`${users.firstName} is distinct from excluded.first_name`,
        sql`${users.lastName} is distinct from excluded.last_name`,
        sql`${users.isPremium} is distinct from excluded.is_premium`,
        sql`(not ${users.languageChosen} and ${users.languageCode} is distinct from excluded.language_code)`,
        sql`${users.avatarUrl} is distinct from excluded.avatar_url`,
        ...(isOwner ? [sql`${users.role} <> 'owner'`] : []),
      ];
      const anyChange = sql.join(changed, sql.raw(' or '));
      return uow.run(async (work) => {
        const [row] = await work.tx
          .insert(users)
          .values({
            telegramId: profile.id,
            ...fields,
            languageCode: profile.language_code ?? null,
            ...(isOwner ? { role: 'owner' as const } : {}),
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: users.telegramId,
            set: {
              ...fields,
              languageCode: sql`case when ${users.languageChosen} then ${users.languageCode} else excluded.language_code end`,
              ...(isOwner ? { role: 'owner' as const } : {}),
              updatedAt: sql`case when ${anyChange} then excluded.updated_at else ${users.updatedAt} end`,
            },
          })
          .returning();
        if (!row) throw new Error('upsert returned no row');
        if (isOwner) announce(work, row, null);
        // A staff member's language follows Telegram's until they choose one.
        staffChangedIn(work, row);
        await queueStaleAvatar(work, row);
        return row;
      });
    },

    /**
     * A member of the staff group who is not a user yet, acting there for the first time (the
     * bot's staff group feature): created with `role` (the settings' `staff_chat.member_role`;
     * an owner named in OWNER_TELEGRAM_IDS as owner), recorded in the audit log. Someone who is
     * a user already is returned as they are, their role untouched.
     */
    async joinFromStaffGroup(profile: TelegramUser, role: UserRole): Promise<UserRow> {
      const now = clock.now();
      const isOwner = owners.has(profile.id);
      return uow.run(async (work) => {
        const [row] = await work.tx
          .insert(users)
          .values({
            telegramId: profile.id,
            username: profile.username ?? null,
            firstName: profile.first_name,
            lastName: profile.last_name ?? null,
            isPremium: profile.is_premium ?? false,
            languageCode: profile.language_code ?? null,
            role: isOwner ? 'owner' : role,
            lastSeenAt: now,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing({ target: users.telegramId })
          .returning();
        if (!row) {
          const [existing] = await work.tx
            .select()
            .from(users)
            .where(eq(users.telegramId, profile.id));
          if (!existing) throw new Error('a user went missing while joining');
          return existing;
        }
        await audit.record(work.tx, {
          actorId: row.id,
          action: 'user.joined_staff_group',
          entityType: 'user',
          entityId: row.id,
          after: { role: row.role },
        });
        announce(work, row, row.id);
        return row;
      });
    },

    /** The user with this id, or NotFound. */
    getById,

    /** A user as `actor` may see them: staff see everyone, others only themself (else 404). */
    view(actor: Actor, userId: string): Promise<UserRow> {
      if (actor.userId !== userId && !can(actor.role, 'tickets.read_all')) {
        return Promise.reject(new NotFound('User not found'));
      }
      return getById(userId);
    },

    /** The user with this Telegram username (any case, `@` optional), if any. */
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const name = username.trim().replace(/^@/, '').toLowerCase();
      if (!name) return undefined;
      // Usernames move between accounts; the one seen most recently holds it now.
      const [row] = await db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.username})`, name))
        .orderBy(sql`${users.lastSeenAt} desc nulls last`, asc(users.id))
        .limit(1);
      return row;
    },

    /** Staff's user list, newest first, filtered by role, block state and a name search. */
    async list(actor: Actor, query: UserListQuery): Promise<Page<UserDto>> {
      if (!can(actor.role, 'users.list')) {
        requirePermission(actor, 'users.list_staff');
        const staffOnly = query.role === undefined ? query.kind === 'staff' : isStaff(query.role);
        if (!staffOnly || query.is_active !== true) {
          throw new Forbidden(
            'Agents may list active staff only: filter by a staff role (or kind=staff) and is_active=true',
          );
        }
      }
      const { limit, cursor, ...filters } = query;
      const rows = await db
        .select()
        .from(users)
        .where(and(userFilterCondition(filters), newestFirst.after(cursor)))
        .orderBy(...newestFirst.orderBy())
        .limit(limit + 1);
      return newestFirst.page(rows, limit, toUserDto);
    },

    /**
     * Every user the filters take, newest first, in keyset batches of `batchSize` (one query
     * each, never the whole table at once), for the export (moderators and above; refused at
     * once, before any row is read).
     */
    exportBatches(
      actor: Actor,
      filters: UserFilters,
      batchSize = EXPORT_BATCH,
    ): AsyncIterable<UserRow[]> {
      requirePermission(actor, 'users.list');
      return batchesOf(filters, batchSize);
    },

    /** What a user did and what was done to them, newest first (moderators and above). */
    async activity(
      actor: Actor,
      userId: string,
      query: HistoryQuery,
    ): Promise<Page<AuditEntryDto>> {
      requirePermission(actor, 'users.activity');
      const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
      if (!row) throw new NotFound('User not found');
      return audit.forUser(userId, query);
    },

    /**
     * Gives a user another role (admins and above). Nobody changes their own role or grants one
     * at or above their own, except an owner; the last owner stays an owner (409). Takes effect
     * on the user's next request.
     */
    async changeRole(actor: Actor, userId: string, role: UserRole): Promise<UserRow> {
      requirePermission(actor, 'users.set_role');
      if (actor.userId === userId) throw new Forbidden('Nobody changes their own role', 'own_role');
      return applyChange(actor, userId, (target, spareOwners) => {
        if (!canGrantRole(actor.role, target.role, role)) {
          throw new Forbidden(
            `Your role (${actor.role}) may not change a role from ${target.role} to ${role}`,
            'role_not_grantable',
          );
        }
        if (target.role === role) return undefined;
        if (target.role === 'owner' && spareOwners === 0) {
          throw new Conflict('This is the last owner; make someone else owner first', 'last_owner');
        }
        return {
          changes: { role },
          action: 'user.role_changed',
          before: { role: target.role },
          after: { role },
        };
      });
    },

    /**
     * Blocks or unblocks a user (moderators and above, only users below their own role, except
     * an owner). Nobody blocks themself, and the last active owner cannot be blocked (409).
     * Takes effect on the user's next request. The reason, if any, goes into the audit entry,
     * and `tell` (when given) tells the person, in the same unit of work; setting the state
     * they already have changes, records and tells nothing.
     */
    async changeStatus(
      actor: Actor,
      userId: string,
      isActive: boolean,
      options: { reason?: string; tell?: StatusNotice } = {},
    ): Promise<UserRow> {
      const reason = options.reason?.trim() || null;
      const { tell } = options;
      requirePermission(actor, 'users.block');
      if (actor.userId === userId) {
        throw new Forbidden('Nobody blocks or unblocks themself', 'own_status');
      }
      return applyChange(
        actor,
        userId,
        (target, spareOwners) => {
          if (!canModerate(actor.role, target.role)) {
            throw new Forbidden(
              `Your role (${actor.role}) may not block or unblock someone whose role is ${target.role}`,
              'target_outranks',
            );
          }
          if (target.isActive === isActive) return undefined;
          if (!isActive && target.role === 'owner' && spareOwners === 0) {
            throw new Conflict('This is the last active owner', 'last_owner');
          }
          return {
            changes: { isActive },
            action: isActive ? 'user.unblocked' : 'user.blocked',
            before: { is_active: target.isActive },
            after: { is_active: isActive, ...(reason ? { reason } : {}) },
          };
        },
        tell && ((work, row) => tell(work, row, reason)),
      );
    },

    /**
     * True when the user exists, is active and is agent or above: who may take a ticket. Pass
     * the transaction of the assignment: the row is held until it ends, so a concurrent
     * demotion or block waits for it and cannot slip in between check and write.
     */
    async isActiveStaff(tx: Db | Tx, userId: string): Promise<boolean> {
      const [row] = await tx
        .select({ role: users.role, isActive: users.isActive })
        .from(users)
        .where(eq(users.id, userId))
        .for('share');
      return row !== undefined && row.isActive && isStaff(row.role);
    },

    activeStaffIds,

    deliveryProfiles,

    activeStaffProfiles,

    /** Records the user's avatar (`avatars.ts`): its blob key, or null for none, and when. */
    async recordAvatar(userId: string, key: string | null, fetchedAt: Date): Promise<void> {
      await update(userId, { avatarKey: key, avatarFetchedAt: fetchedAt });
    },

    /** Records that Telegram refused to reach the user (403: they blocked the bot). */
    async markBotBlocked(userId: string, at: Date): Promise<void> {
      const rows = await db
        .update(users)
        .set({ botBlockedAt: at })
        .where(eq(users.id, userId))
        .returning({ role: users.role });
      if (rows.some((row) => isStaff(row.role))) await staffChanged();
    },

    /** The user wrote to the bot again, so Telegram reaches them: notifications resume. */
    async markBotReachable(userId: string): Promise<void> {
      const rows = await db
        .update(users)
        .set({ botBlockedAt: null })
        .where(eq(users.id, userId))
        .returning({ role: users.role });
      if (rows.some((row) => isStaff(row.role))) await staffChanged();
    },

    /**
     * The public face of each of these users, for showing who wrote what; in `executor`'s
     * transaction when given one.
     */
    async authors(
      userIds: readonly string[],
      executor: Db | Tx = db,
    ): Promise<Map<string, AuthorDto>> {
      const unique = [...new Set(userIds)];
      if (unique.length === 0) return new Map();
      const rows =
        executor === db
          ? await authorsById.execute({ ids: unique })
          : await executor.select(authorColumns).from(users).where(inArray(users.id, unique));
      return new Map(rows.map((row) => [row.id, toAuthor(row)]));
    },

    /** The user with this Telegram id, if any. */
    async findByTelegramId(telegramId: number): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.telegramId, telegramId));
      return row;
    },

    /**
     * Role and block state for a request: from this process's memory, else the shared cache,
     * else the database.
     */
    async getAccess(userId: string): Promise<UserAccess | undefined> {
      const { localAccess } = deps;
      return localAccess
        ? localAccess.get(userId, () => sharedAccess(userId))
        : sharedAccess(userId);
    },

    /**
     * Applies a user's own profile edits. Notification settings left out of the patch keep their
     * stored values (merged in one statement, so the bot's `/settings` and the app never undo
     * each other's change); the daily digest and being on duty are for staff only (403).
     */
    async updateProfile(userId: string, patch: ProfilePatch): Promise<UserRow> {
      const settings = patch.notification_settings;
      if (
        (settings?.digest === true || patch.on_duty !== undefined) &&
        !isStaff((await getById(userId)).role)
      ) {
        if (patch.on_duty !== undefined) {
          throw new Forbidden('Only staff go on and off duty', 'staff_only');
        }
        throw new Forbidden(
          'The daily digest is for support staff: customers get no reminders',
          'digest_staff_only',
        );
      }
      const [row] = await db
        .update(users)
        .set({
          ...(patch.on_duty === undefined ? {} : { onDuty: patch.on_duty }),
          ...(patch.language_code === undefined
            ? {}
            : { languageCode: patch.language_code, languageChosen: true }),
          ...(settings === undefined
            ? {}
            : {
                notificationSettings: sql`${users.notificationSettings} || ${JSON.stringify(settings)}::jsonb`,
              }),
          updatedAt: clock.now(),
        })
        .where(eq(users.id, userId))
        .returning();
      if (!row) throw new NotFound('User not found');
      // Duty, language and notification settings decide who hears of what, and how.
      if (isStaff(row.role)) await staffChanged();
      return row;
    },

    /**
     * Announces, once `work` commits, that `row`'s role or block state changed outside the staff
     * rules (the test-only writes of `direct-writes.ts`): the cached access is dropped and open
     * sockets re-check.
     */
    accessChanged(work: Work, row: UserRow): void {
      announce(work, row, null);
    },
  };
}

/** The users service. */
export type UserService = ReturnType<typeof createUserService>;
