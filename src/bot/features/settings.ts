import { Composer, InlineKeyboard } from 'grammy';
import { isStaff } from '../../auth/permissions.js';
import {
  notificationTypes,
  type NotificationType,
  type QuietHours,
  type UserRow,
} from '../../db/schema.js';
import { isNotModified } from '../../telegram/edit-refusals.js';
import { notificationSettingsOf } from '../../users/schemas.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';

/** The kinds a customer can be sent: about their own tickets, and announcements. */
const customerKinds: readonly NotificationType[] = ['new_message', 'status_changed', 'broadcast'];

/** The quiet-hours presets offered as buttons (the app takes any span). */
export const quietPresets: readonly QuietHours[] = [
  { start: '22:00', end: '08:00' },
  { start: '23:00', end: '07:00' },
];

/** Callback data of the settings buttons. */
const actions = {
  mute: 'set:mute:',
  quiet: 'set:quiet:',
  quietOff: 'set:quiet:off',
  digest: 'set:digest',
} as const;

const presetData = (quiet: QuietHours) => `${actions.quiet}${quiet.start}-${quiet.end}`;

/** The notification kinds this user may be sent, so the only ones offered. */
function kindsFor(user: UserRow): readonly NotificationType[] {
  return isStaff(user.role) ? notificationTypes : customerKinds;
}

/** The settings message of `user` in their language (quiet hours shown in `zone`). */
function settingsView(
  ctx: BotContext,
  user: UserRow,
  zone: string,
): { text: string; keyboard: InlineKeyboard } {
  const t = ctx.t.settings;
  const settings = notificationSettingsOf(user.notificationSettings);
  const kinds = kindsFor(user).map((type) => ({
    type,
    on: !settings.muted_types.includes(type),
  }));
  const digest = isStaff(user.role) ? settings.digest : undefined;
  const text = t.view({ kinds, quiet: settings.quiet_hours, zone, digest });
  const keyboard = new InlineKeyboard();
  for (const kind of kinds) {
    keyboard.text(t.kind_button(kind.type, kind.on), `${actions.mute}${kind.type}`).row();
  }
  const current = settings.quiet_hours;
  keyboard.text(`${current === null ? '✅ ' : ''}${t.quiet_off_button}`, actions.quietOff);
  for (const preset of quietPresets) {
    const chosen = current?.start === preset.start && current.end === preset.end;
    keyboard.text(t.quiet_button(preset, chosen), presetData(preset));
  }
  if (digest !== undefined) keyboard.row().text(t.digest_button(digest), actions.digest);
  return { text, keyboard };
}

/**
 * `/settings`: the user's notification settings with buttons to change them in place (the kinds
 * their role can be sent, quiet-hours presets, the digest for staff). Each press saves through
 * the users service, as `PUT /auth/profile` does, and edits the message to what is now in force.
 */
export function settingsFeature(deps: Pick<BotDeps, 'users' | 'settings'>): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  /** The support hours' time zone, as saved: quiet hours are in it. */
  const zone = async () => (await deps.settings.current()).support_hours.time_zone;

  composer.command('settings', async (ctx) => {
    const view = settingsView(ctx, ctx.user, await zone());
    await ctx.reply(view.text, { parse_mode: 'HTML', reply_markup: view.keyboard });
  });

  /** Saves the change and shows the message as it now stands. */
  async function save(
    ctx: BotContext,
    change: (settings: ReturnType<typeof notificationSettingsOf>) => object,
  ): Promise<void> {
    const settings = notificationSettingsOf(ctx.user.notificationSettings);
    const user = await deps.users.updateProfile(ctx.user.id, {
      notification_settings: { muted_types: settings.muted_types, ...change(settings) },
    });
    await ctx.answerCallbackQuery();
    const view = settingsView(ctx, user, await zone());
    try {
      await ctx.editMessageText(view.text, { parse_mode: 'HTML', reply_markup: view.keyboard });
    } catch (error) {
      // Pressed twice, or the same preset again: the message shows it already.
      if (!isNotModified(error)) throw error;
    }
  }

  composer.callbackQuery(/^set:mute:([a-z_]+)$/, async (ctx) => {
    const type = kindsFor(ctx.user).find((kind) => kind === ctx.match[1]);
    if (!type) return ctx.answerCallbackQuery();
    await save(ctx, ({ muted_types }) => ({
      muted_types: muted_types.includes(type)
        ? muted_types.filter((kind) => kind !== type)
        : [...muted_types, type],
    }));
  });

  composer.callbackQuery(actions.quietOff, (ctx) => save(ctx, () => ({ quiet_hours: null })));

  composer.callbackQuery(/^set:quiet:(\d\d:\d\d)-(\d\d:\d\d)$/, async (ctx) => {
    const preset = quietPresets.find((q) => q.start === ctx.match[1] && q.end === ctx.match[2]);
    if (!preset) return ctx.answerCallbackQuery();
    await save(ctx, () => ({ quiet_hours: preset }));
  });

  const staff = composer.filter((ctx) => isStaff(ctx.user.role));
  composer
    .drop((ctx) => isStaff(ctx.user.role))
    .callbackQuery(actions.digest, (ctx) =>
      ctx.answerCallbackQuery({ text: ctx.t.settings.digest_staff_only }),
    );
  staff.callbackQuery(actions.digest, (ctx) => save(ctx, ({ digest }) => ({ digest: !digest })));

  return composer;
}
