import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { users, type NotificationSettings, type UserRole, type UserRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import type { Cache } from '../platform/cache.js';
import type { Clock } from '../platform/clock.js';
import type { AuditLog } from '../audit/service.js';
import type { TelegramUser } from '../auth/verify-init-data.js';

/** What a request needs to know about its user; cached, and dropped on every change. */
export interface UserAccess {
  id: string;
  role: UserRole;
  is_active: boolean;
}

/** Profile fields a user may change themself. */
export interface ProfilePatch {
  language_code?: string;
  notification_settings?: NotificationSettings;
}

const ACCESS_TTL_S = 60;
const accessKey = (userId: string) => `user-access:${userId}`;

/** Creates the users service: the only writer of the `users` table. */
export function createUserService(deps: {
  db: Db;
  cache: Cache;
  clock: Clock;
  audit: AuditLog;
  ownerTelegramIds: readonly number[];
}) {
  const { db, cache, clock } = deps;
  const owners = new Set(deps.ownerTelegramIds);

  async function update(
    userId: string,
    changes: Partial<Omit<UserRow, 'id' | 'updatedAt'>>,
  ): Promise<UserRow> {
    const [row] = await db
      .update(users)
      .set({ ...changes, updatedAt: clock.now() })
      .where(eq(users.id, userId))
      .returning();
    if (!row) throw new NotFound('User not found');
    return row;
  }

  async function invalidate(userId: string): Promise<void> {
    await cache.delete(accessKey(userId));
  }

  return {
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
      const [row] = await db
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
      if (isOwner) await invalidate(row.id);
      return row;
    },

    /** The user with this id, or NotFound. */
    async getById(userId: string): Promise<UserRow> {
      const [row] = await db.select().from(users).where(eq(users.id, userId));
      if (!row) throw new NotFound('User not found');
      return row;
    },

    /** The user with this Telegram id, if any. */
    async findByTelegramId(telegramId: number): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.telegramId, telegramId));
      return row;
    },

    /** Role and block state for a request: from the cache, else the database. */
    async getAccess(userId: string): Promise<UserAccess | undefined> {
      const cached = await cache.get<UserAccess>(accessKey(userId));
      if (cached) return cached;
      const [row] = await db
        .select({ id: users.id, role: users.role, is_active: users.isActive })
        .from(users)
        .where(eq(users.id, userId));
      if (row) await cache.set(accessKey(userId), row, ACCESS_TTL_S);
      return row;
    },

    /** Applies a user's own profile edits. */
    updateProfile(userId: string, patch: ProfilePatch): Promise<UserRow> {
      return update(userId, {
        ...(patch.language_code === undefined
          ? {}
          : { languageCode: patch.language_code, languageChosen: true }),
        ...(patch.notification_settings === undefined
          ? {}
          : { notificationSettings: patch.notification_settings }),
      });
    },

    /** Blocks or unblocks a user; it takes effect on their very next request. */
    async setActive(userId: string, isActive: boolean): Promise<UserRow> {
      const row = await update(userId, { isActive });
      await invalidate(userId);
      return row;
    },

    /** Sets a user's role; it takes effect on their very next request. */
    async setRole(userId: string, role: UserRole): Promise<UserRow> {
      const row = await update(userId, { role });
      await invalidate(userId);
      return row;
    },
  };
}

/** The users service. */
export type UserService = ReturnType<typeof createUserService>;
