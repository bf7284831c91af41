import { z } from 'zod';
import { notificationTypes, userRoles, type UserRow } from '../db/schema.js';
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
    avatar_url: z.string().nullable(),
    language_code: z.string().nullable(),
    is_premium: z.boolean(),
    on_duty: z
      .boolean()
      .describe('Staff: hears of new tickets when routing is on_duty (docs/api.md#settings)'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'User' });

/** Which notification kinds reach the user in Telegram. */
export const notificationSettingsSchema = z
  .object({
    muted_types: z
      .array(z.enum(notificationTypes))
      .max(notificationTypes.length)
      .describe('Notification kinds not delivered to Telegram (still listed in the app)'),
  })
  .meta({ id: 'NotificationSettings' });

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
    avatar_url: row.avatarUrl,
    language_code: row.languageCode,
    is_premium: row.isPremium,
    on_duty: row.onDuty,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Shapes the signed-in user's own row for the API. */
export function toMeDto(row: UserRow): MeDto {
  return {
    ...toUserDto(row),
    notification_settings: { muted_types: row.notificationSettings.muted_types ?? [] },
  };
}

/** The fields `?fields=` may name in the user list. */
export const userFields = Object.keys(userSchema.shape) as (keyof UserDto)[];

/** `GET /users` query. */
export const userListQuery = z.strictObject({
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
    .describe('Search: prefixes of words of the username, first or last name (`@name` too)'),
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(userFields),
});

/** A page request of the user list, as the service takes it. */
export type UserListQuery = Omit<z.output<typeof userListQuery>, 'fields'>;

/** `PUT /users/{id}/role` body. */
export const roleBody = z.strictObject({
  role: z.enum(userRoles).describe('The new role'),
});

/** `PUT /users/{id}/status` body. */
export const statusBody = z.strictObject({
  is_active: z.boolean().describe('`false` blocks the user, `true` unblocks them'),
});

/** `GET /users/{id}/activity` query. */
export const activityQuery = z.strictObject({
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(auditEntryFields),
});
