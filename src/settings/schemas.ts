import { z } from 'zod';
import { isFiveFieldCron } from './cron.js';

/** An IANA time zone name Intl knows (`Europe/Moscow`, `UTC`). */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, 00:00 to 23:59');

/** Support hours: when staff answer, in their time zone (stored only; docs/api.md#settings). */
export const supportHoursSchema = z
  .strictObject({
    time_zone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Moscow'),
    days: z
      .array(z.number().int().min(1).max(7))
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'must not repeat a day')
      .describe('ISO weekdays, 1 = Monday … 7 = Sunday, each at most once'),
    start: clockTime,
    end: clockTime,
  })
  .refine((hours) => hours.start < hours.end, {
    message: 'must be after start',
    path: ['end'],
  });

/** When reminders about unanswered tickets run, and after how long a ticket counts. */
export const remindersSchema = z.strictObject({
  cron: z
    .string()
    .trim()
    .refine(isFiveFieldCron, 'must be a cron expression of 5 fields, e.g. 0 9 * * *')
    .describe('When the reminder run starts, 5-field cron in UTC'),
  after_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .describe('Remind about tickets unanswered this long'),
});

/** Resolved tickets without a customer reply are closed after this many days (0: never). */
export const autoCloseSchema = z.strictObject({
  after_days: z.number().int().min(0).max(365),
});

const greetingText = z.string().max(1000).describe('"" keeps the built-in greeting');

/** The text of the bot's `/start` greeting per language; "" keeps the built-in one. */
export const greetingSchema = z.strictObject({ ru: greetingText, en: greetingText });

export const routingModes = ['all', 'on_duty', 'per_category'] as const;

/** Who hears of new tickets. */
export const routingSchema = z.strictObject({
  mode: z
    .enum(routingModes)
    .describe(
      '`all` active staff; `on_duty` staff on duty (everyone when nobody is); `per_category` ' +
        'the staff listed for the ticket’s category (everyone for a category without a list)',
    ),
  categories: z
    .record(
      z.uuid({ message: 'must be a category id' }),
      z
        .array(z.uuid({ message: 'must be a user id' }))
        .max(500)
        .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a person'),
    )
    .refine((map) => Object.keys(map).length <= 500, 'at most 500 categories')
    .describe('Staff user ids per category id, for `per_category`'),
});

/** Who a member of the staff group becomes on their first action there, or `none`: refused. */
export const staffMemberRoles = ['agent', 'none'] as const;

/** The staff forum group (`threads/`): where ticket topics go and how it treats its members. */
export const staffChatSchema = z.strictObject({
  chat_id: z
    .number()
    .int()
    .negative('must be a group chat id, which is negative, e.g. -1001234567890')
    .min(-9_999_999_999_999, 'is not a Telegram chat id')
    .nullable()
    .describe(
      'The forum supergroup of the staff (its bot an admin who may manage topics); null: none. ' +
        'Checked with Telegram when saved',
    ),
  sign_replies: z
    .boolean()
    .describe('A staff answer written in a topic reaches the customer with its writer’s name'),
  member_role: z
    .enum(staffMemberRoles)
    .describe(
      'What a group member who is not a user yet becomes on their first action there: `agent`, ' +
        'or `none` (refused)',
    ),
});

const targetMinutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 365)
  .nullable()
  .describe('Minutes of support time (`support_hours`); null: no target');

/** The two targets of one priority. */
const slaTargetsSchema = z
  .strictObject({ first_response: targetMinutes, resolution: targetMinutes })
  .refine(
    (targets) =>
      targets.first_response === null ||
      targets.resolution === null ||
      targets.resolution >= targets.first_response,
    { message: 'must not be shorter than the first response target', path: ['resolution'] },
  );

/**
 * Service level targets per priority (`sla/`): how soon staff first answer and resolve,
 * counted in support time.
 */
export const slaSchema = z.strictObject({
  low: slaTargetsSchema,
  normal: slaTargetsSchema,
  high: slaTargetsSchema,
  critical: slaTargetsSchema,
});

/** How often the scheduled report goes to the admins. */
export const reportFrequencies = ['off', 'weekly', 'monthly'] as const;

/**
 * The scheduled report (`reports/scheduled.ts`): every admin and owner with a chat gets the PDF
 * of the previous period in Telegram, weekly on `weekday` or monthly on the 1st, at `time` on the
 * support clock (`support_hours.time_zone`).
 */
export const scheduledReportSchema = z.strictObject({
  frequency: z
    .enum(reportFrequencies)
    .describe('`off`, `weekly` (the previous 7 days) or `monthly` (the previous calendar month)'),
  weekday: z
    .number()
    .int()
    .min(1)
    .max(7)
    .describe('ISO weekday of the weekly report, 1 = Monday … 7 = Sunday'),
  time: clockTime.describe('When it goes out, HH:MM on the support clock'),
});

/** The groups an admin edits, each replaced whole. */
export const settingsGroups = {
  support_hours: supportHoursSchema,
  reminders: remindersSchema,
  auto_close: autoCloseSchema,
  greeting: greetingSchema,
  routing: routingSchema,
  staff_chat: staffChatSchema,
  sla: slaSchema,
  scheduled_report: scheduledReportSchema,
} as const;

/** A group's name. */
export type SettingsGroup = keyof typeof settingsGroups;

/** The names of every group, in their order in the API. */
export const settingsGroupNames = Object.keys(settingsGroups) as SettingsGroup[];

/** The values of every group. */
export type SettingsValues = { [G in SettingsGroup]: z.infer<(typeof settingsGroups)[G]> };

/** The settings as the API answers them (docs/api.md#settings). */
export const settingsSchema = z
  .object({
    ...settingsGroups,
    updated_at: z.iso.datetime().nullable().describe('The last save; null: never saved'),
    updated_by: z.uuid().nullable().describe('Who saved last; null: never saved, or gone'),
  })
  .meta({
    id: 'Settings',
    description: 'Admin-editable settings; groups never saved follow the environment defaults',
  });

/** The settings in API shape. */
export type SettingsDto = z.infer<typeof settingsSchema>;

/** The body of `PUT /settings`: any of the groups, each replaced whole. */
export const updateSettingsBody = z
  .strictObject({
    support_hours: supportHoursSchema.optional(),
    reminders: remindersSchema.optional(),
    auto_close: autoCloseSchema.optional(),
    greeting: greetingSchema.optional(),
    routing: routingSchema.optional(),
    staff_chat: staffChatSchema.optional(),
    sla: slaSchema.optional(),
    scheduled_report: scheduledReportSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one group to change');

/** A change of settings. */
export type SettingsPatch = z.infer<typeof updateSettingsBody>;
