import { z } from 'zod';
import { notificationTypes, type notifications } from '../db/schema.js';
import { cursorParam, fieldsParam, limitParam, sparsePageSchema } from '../http/list-query.js';

/** A notification in the signed-in user's list (docs/api.md#notifications). */
export const notificationSchema = z
  .object({
    id: z.uuid(),
    user_id: z.uuid().describe('The recipient'),
    ticket_id: z.uuid().nullable().describe('The ticket it is about, if any'),
    type: z.enum(notificationTypes),
    title: z.string().describe('Plain text'),
    content: z.string().describe('Plain text'),
    is_read: z.boolean(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Notification', description: 'Something that happened, told to one person' });

/** A notification in API shape. */
export type NotificationDto = z.infer<typeof notificationSchema>;

/** A notification row as stored. */
export type NotificationRow = typeof notifications.$inferSelect;

/** The fields `?fields=` may name. */
export const notificationFields = Object.keys(
  notificationSchema.shape,
) as (keyof NotificationDto)[];

/** `GET /notifications` query. */
export const notificationListQuery = z.strictObject({
  unread_only: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Only notifications not yet read'),
  limit: limitParam,
  cursor: cursorParam,
  fields: fieldsParam(notificationFields),
});

/** A page request of the caller's notifications. */
export type NotificationListQuery = Omit<z.infer<typeof notificationListQuery>, 'fields'>;

/** How many of the caller's notifications are unread. */
export const unreadCountSchema = z
  .object({ unread_count: z.number().int().min(0) })
  .meta({ id: 'NotificationUnreadCount' });

/** `GET /notifications` reply: a page, newest first, plus the unread count. */
export const notificationPageSchema = sparsePageSchema(notificationSchema).extend(
  unreadCountSchema.shape,
);

/** `PUT /notifications/read-all` reply. */
export const readAllSchema = z
  .object({ updated: z.number().int().min(0).describe('How many were unread until now') })
  .meta({ id: 'NotificationReadAll' });

/** Shapes a notification row for the API. */
export function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    user_id: row.userId,
    ticket_id: row.ticketId,
    type: row.type,
    title: row.title,
    content: row.content,
    is_read: row.isRead,
    created_at: row.createdAt.toISOString(),
  };
}
