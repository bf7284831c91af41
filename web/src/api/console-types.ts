/**
 * The shapes the admin console and the notification centre use. Those the server already
 * publishes come from the generated contract (`schema.d.ts`); the fields issue 17 adds
 * (/work/wt/CONTRACT-17.md: settings, people, notify) are optional here until their routes are
 * merged and `npm run api:generate` brings them into the generated types.
 */
import type { components } from './schema';
import * as schemaValues from './schema-values';
import type { Category, Person, Role, User } from './types';

type Schemas = components['schemas'];

/** A person in the people list and on their page, with the fields the people branch adds. */
export type PersonRow = Person & {
  avatar_url?: string | null;
  last_seen_at?: string | null;
  on_duty?: boolean;
};

/** A category with how many of its tickets are open (open, in progress, waiting). */
export type CategoryRow = Category & { open_count?: number };

/** A recorded change, as the activity timeline reads it. */
export type AuditEntry = Schemas['AuditEntry'];

/** One notification of the signed-in user. */
export type NotificationItem = Schemas['Notification'];

/** A kind of notification. */
export type NotificationKind = NotificationItem['type'];

/** The kinds of notification, in the order the settings list them. */
export const notificationKinds: readonly NotificationKind[] = schemaValues.Notification.type.enum;

/** Hours of a day as `HH:MM`, start to end (the end may be past midnight). */
export interface HourRange {
  start: string;
  end: string;
}

/** The signed-in user's notification preferences (`notification_settings`). */
export interface NotificationPrefs {
  muted_types: NotificationKind[];
  quiet_hours?: HourRange | null;
  digest?: boolean;
}

/** The signed-in user with the fields the notify and settings branches add. */
export type Me = Omit<User, 'notification_settings'> & {
  notification_settings: NotificationPrefs;
  on_duty?: boolean;
};

/** How new tickets reach staff. */
export type RoutingMode = 'all' | 'on_duty' | 'per_category';

/** The settings an admin changes without a restart (`GET/PUT /settings`). */
export interface Settings {
  support_hours: HourRange & { time_zone: string; days: number[] };
  reminders: { cron: string; after_hours: number };
  auto_close: { after_days: number };
  greeting: { ru: string; en: string };
  routing: { mode: RoutingMode; categories: Record<string, string[]> };
  updated_at: string | null;
  updated_by: string | null;
}

/** True for moderators and above: they see the people section. */
export function isModerator(role: Role): boolean {
  return role === 'moderator' || role === 'admin' || role === 'owner';
}

/** True for admins and owners: categories, settings and roles. */
export function isAdmin(role: Role): boolean {
  return role === 'admin' || role === 'owner';
}
