/**
 * The shapes the admin console and the notification centre use, by name, from the generated
 * contract (`schema.d.ts`).
 */
import type { components } from './schema';
import * as schemaValues from './schema-values';
import type { Category, Person, Role, User } from './types';

type Schemas = components['schemas'];

/** A person in the people list and on their page. */
export type PersonRow = Person;

/** A category; for staff with how many of its tickets are open (open, in progress, waiting). */
export type CategoryRow = Category;

/** A recorded change, as the activity timeline reads it. */
export type AuditEntry = Schemas['AuditEntry'];

/** One notification of the signed-in user. */
export type NotificationItem = Schemas['Notification'];

/** A kind of notification. */
export type NotificationKind = NotificationItem['type'];

/** The kinds of notification, in the order the settings list them. */
export const notificationKinds: readonly NotificationKind[] = schemaValues.Notification.type.enum;

/** Hours of a day as `HH:MM`, start to end (the end may be past midnight). */
export type HourRange = Schemas['QuietHours'];

/** The signed-in user's notification preferences (`notification_settings`). */
export type NotificationPrefs = Schemas['NotificationSettings'];

/** The signed-in user, with their preferences and (staff) whether they are on duty. */
export type Me = User;

/** The settings an admin changes without a restart (`GET/PUT /settings`). */
export type Settings = Schemas['Settings'];

/** How new tickets reach staff. */
export type RoutingMode = Settings['routing']['mode'];

/** True for moderators and above: they see the people section. */
export function isModerator(role: Role): boolean {
  return role === 'moderator' || role === 'admin' || role === 'owner';
}

/** True for admins and owners: categories, settings and roles. */
export function isAdmin(role: Role): boolean {
  return role === 'admin' || role === 'owner';
}
