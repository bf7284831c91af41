import { z } from 'zod';
import {
  notificationTypes,
  userRoles,
  type NotificationSettings,
  type UserRow,
} from '../db/schema.js';
import { auditEntryFields } from '../audit/schemas.js';
import { cursorParam, fieldsParam, limitParam } from '../http/list-query.js';

/** A user as the API shows it (docs/api.md#auth-endpoints). */
export const userSchema = z
  .object({
    id: z.uuid(),
    telegram_id: z.number().int(),
    username: z.string().nullable(),
    first_name: z.string(),
    last_name: z.string().nullable(),
    role: z.enum(userRoles),
    is_active: z.boolean(),
    avatar_url: z
      .string()
      .nullable()
      .describe('`/api/v1/users/{id}/avatar?v=…` (bearer auth), or null when there is no avatar'),
    language_code: z.string().nullable(),
    is_premium: z.boolean(),
    last_seen_at: z.iso
      .datetime()
      .nullable()
      .describe('When they last signed in or wrote to the bot; null if never'),
    on_duty: z
      .boolean()
      .describe('Staff: hears of new tickets when routing is on_duty (docs/api.md#settings)'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'User' });

/** A local time of day, `HH:MM` on a 24-hour clock. */
const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (00:00 to 23:59)');

/** A daily span of local time in the support time zone; it may wrap midnight. */
export const quietHoursSchema = z
  .strictObject({
    start: timeOfDay.describe('When quiet hours begin, HH:MM'),
    end: timeOfDay.describe('When they end, HH:MM; before `start` when they wrap midnight'),
  })
  .refine((quiet) => quiet.start !== quiet.end, {
    path: ['end'],
    message: 'must differ from start',
  })
  .meta({ id: 'QuietHours' });

/** Which notification kinds reach the user in Telegram, and when. */
export const notificationSettingsSchema = z
  .object({
    muted_types: z
      .array(z.enum(notificationTypes))
      .max(notificationTypes.length)
      .describe('Notification kinds not delivered to Telegram (still listed in the app)'),
    quiet_hours: quietHoursSchema
      .nullable()
      .describe(
        'Daily hours (support time zone) when Telegram messages are held and sent as they end; ' +
          'null: none',
      ),
    digest: z
      .boolean()
      .describe(
        'Staff only: one daily message listing overdue tickets instead of one reminder each',
      ),
  })
  .meta({ id: 'NotificationSettings' });

/**
 * `PUT /auth/profile`'s notification settings: `muted_types` always; `quiet_hours` and `digest`
 * may be left out (clients older than them), and then keep their stored values.
 */
export const notificationSettingsInput = notificationSettingsSchema
  .partial({ quiet_hours: true, digest: true })
  .strict()
  .meta({ id: 'NotificationSettingsUpdate' });

/** The stored settings, with what older rows lack filled in as off. */
export function notificationSettingsOf(
  stored: NotificationSettings,
): z.infer<typeof notificationSettingsSchema> {
  return {
    muted_types: stored.muted_types ?? [],
    quiet_hours: stored.quiet_hours ?? null,
    digest: stored.digest ?? false,
  };
}

/** The signed-in user: the public shape plus their own settings. */
export const meSchema = userSchema
  .extend({ notification_settings: notificationSettingsSchema })
  .meta({ id: 'Me' });

/** What anyone in a conversation may know of its author: no Telegram id, no username. */
export const authorSchema = z
  .object({
    id: z.uuid(),
    first_name: z.string(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    is_staff: z.boolean().describe('Agent or above: answering for the support team'),
  })
  .meta({ id: 'Author', description: 'The author of a message, as its readers see them' });

/** A message author in API shape. */
export type AuthorDto = z.infer<typeof authorSchema>;

/** A user in API shape. */
export type UserDto = z.infer<typeof userSchema>;
/** The signed-in user in API shape. */
export type MeDto = z.infer<typeof meSchema>;

/**
 * Where a user's avatar is served, versioned by when it was fetched (so it may be cached for
 * good), or null when none is stored.
 */
export function avatarPath(row: {
  id: string;
  avatarKey: string | null;
  avatarFetchedAt: Date | null;
}): string | null {
  if (!row.avatarKey || !row.avatarFetchedAt) return null;
  return `/api/v1/users/${row.id}/avatar?v=${Math.floor(row.avatarFetchedAt.getTime() / 1000)}`;
}

/** Shapes a user row for the API. */
export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    telegram_id: row.telegramId,
    username: row.username,
    first_name: row.firstName,
    last_name: row.lastName,
    role: row.role,
    is_active: row.isActive,
    avatar_url: avatarPath(row),
    language_code: row.languageCode,
    is_premium: row.isPremium,
    last_seen_at: row.lastSeenAt?.toISOString() ?? null,
    on_duty: row.onDuty,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Shapes the signed-in user's own row for the API. */
export function toMeDto(row: UserRow): MeDto {
  return {
    ...toUserDto(row),
    notification_settings: notificationSettingsOf(row.notificationSettings),
  };
}

/** The fields `?fields=` may name in the user list. */
export const userFields = Object.keys(userSchema.shape) as (keyof UserDto)[];

/** An ISO 8601 time with a zone (`Z` or an offset), as a Date. */
const isoTime = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional()
    .describe(description);

/** The filters of the user list, shared by `GET /users` and `GET /users/export`. */
const userFilters = {
  role: z.enum(userRoles).optional().describe('Only users of this role'),
  is_active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('`false` lists blocked users, `true` everyone else'),
  q: z
    .string()
    .max(200)
    .optional()
    .describe(
      'Search: prefixes of words of the username, first or last name (`@name` too); all ' +
        'digits also finds the user with exactly that Telegram id',
    ),
  kind: z
    .enum(['staff', 'customers'])
    .optional()
    .describe('`staff`: agents and above; `customers`: role `user`'),
  last_seen_after: isoTime('Only users last seen at or after this time (ISO 8601)'),
  last_seen_before: isoTime('Only users last seen before this time (ISO 8601)'),
};

/** Refuses a last-seen window that ends before it starts. */
function windowInOrder(
  query: { last_seen_after?: Date; last_seen_before?: Date },
  context: z.RefinementCtx,
): void {
  const { last_seen_after: after, last_seen_before: before } = query;
  if (after && before && after > before) {
    context.addIssue({
      code: 'custom',
      path: ['last_seen_before'],
      message: 'must not be earlier than last_seen_after',
    });
  }
}

/** `GET /users` query. */
export const userListQuery = z
  .strictObject({
    ...userFilters,
    limit: limitParam,
    cursor: cursorParam,
    fields: fieldsParam(userFields),
  })
  .superRefine(windowInOrder);

/** A page request of the user list, as the service takes it. */
export type UserListQuery = Omit<z.output<typeof userListQuery>, 'fields'>;

/** Which users a list or an export takes. */
export type UserFilters = Omit<UserListQuery, 'limit' | 'cursor'>;

/** `GET /users/export` query. */
export const userExportQuery = z
  .strictObject({
    format: z.enum(['csv', 'xlsx']).describe('`csv` (UTF-8 with BOM) or `xlsx`'),
    ...userFilters,
  })
  .superRefine(windowInOrder);

/** `PUT /users/{id}/role` body. */
export const roleBody = z.strictObject({
  role: z.enum(userRoles).describe('The new role'),
});

/** `PUT /users/{id}/status` body. */
export const statusBody = z.strictObject({
  is_active: z.boolean().describe('`false` blocks the user, `true` unblocks them'),
  reason: z
    .string()
    .trim()
    .max(500)
    .optional()
    .describe('Why: told to the person in Telegram with the block, and kept in the audit log'),
});

/** `GET /users/{id}/avatar` query. */
export const avatarQuery = z.strictObject({
  v: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('The version `avatar_url` carries; the current one makes the answer cacheable'),
});

/** `GET /users/{id}/activity` query. */
export const activityQuery = z.strictObject({
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(auditEntryFields),
});
