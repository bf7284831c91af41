import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { can, isStaff } from '../auth/permissions.js';
import type { UserRow } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import {
  foreignLanguage,
  homeLanguage,
  languageOf,
  languages,
  type Language,
} from '../i18n/language.js';
import type { BotDeps } from './deps.js';
import { webAppUrl } from '../telegram/mini-app-button.js';
import type { CommandHelp } from './texts/common.js';
import { textsFor } from './texts/index.js';

function asCommands(list: CommandHelp[]): BotCommand[] {
  return list.map(({ command, description }) => ({ command, description }));
}

/** The menu of commands for someone with `role`: everyone's, plus staff's, moderators' and admins' own. */
export function commandsFor(language: Language, role: UserRow['role']): BotCommand[] {
  const { commands } = textsFor(language).common;
  return asCommands([
    ...commands.user,
    ...(isStaff(role) ? commands.staff : []),
    ...(can(role, 'reports.export') ? commands.moderator : []),
    ...(can(role, 'users.set_role') ? commands.admin : []),
  ]);
}

/** Runs a Bot API call whose failure must not stop the bot: logged, then forgotten. */
/** What setting up the chat's surroundings needs. */
type SetupDeps = Pick<BotDeps, 'config' | 'logger' | 'users' | 'events'>;

async function tryCall(
  deps: Pick<BotDeps, 'logger'>,
  what: string,
  call: () => Promise<unknown>,
): Promise<void> {
  try {
    await call();
  } catch (error) {
    deps.logger.warn({ err: error }, `bot setup: ${what} failed`);
  }
}

/**
 * Keeps one person's command menu in line with their role: staff get their own commands in
 * their chat, anyone else loses a staff menu they had. `applied` remembers what each chat got,
 * so repeated announcements (an owner's every sign-in) cost no calls.
 */
function staffMenus(deps: Pick<BotDeps, 'logger'>, api: Api) {
  const applied = new Map<number, string>();
  return async function apply(user: UserRow): Promise<void> {
    const chat_id = user.telegramId;
    const staff = user.isActive && isStaff(user.role);
    const language = languageOf(user.languageCode);
    const state = staff ? `${user.role}:${language}` : 'none';
    if ((applied.get(chat_id) ?? 'none') === state) return;
    applied.set(chat_id, state);
    const scope = { type: 'chat' as const, chat_id };
    if (staff) {
      await tryCall(deps, 'staff commands', () =>
        api.setMyCommands(commandsFor(language, user.role), { scope }),
      );
    } else {
      await tryCall(deps, 'removing staff commands', () => api.deleteMyCommands({ scope }));
    }
  };
}

async function setDefaultCommands(deps: Pick<BotDeps, 'logger'>, api: Api): Promise<void> {
  for (const language of languages) {
    await tryCall(deps, `${language} commands`, () =>
      api.setMyCommands(commandsFor(language, 'user'), { language_code: language }),
    );
  }
  // Telegram shows the menu without a language to clients in every other language, so it is in
  // the language of those readers (a client always has a language, so nobody is left unknown).
  await tryCall(deps, 'default commands', () =>
    api.setMyCommands(commandsFor(foreignLanguage, 'user')),
  );
}

async function setMenuButton(deps: Pick<BotDeps, 'config' | 'logger'>, api: Api): Promise<void> {
  const url = webAppUrl(deps.config.MINI_APP_URL);
  if (!url) return;
  // One button for every chat, so in the home language.
  const text = textsFor(homeLanguage).common.menu_button;
  await tryCall(deps, 'menu button', () =>
    api.setChatMenuButton({ menu_button: { type: 'web_app', text, web_app: { url } } }),
  );
}

/**
 * Sets up what Telegram shows around the chat: the command menus (in Russian and English, and
 * English for other languages, as `languageOf` has it; staff menus per staff chat, kept in line with role changes
 * through `user.access_changed`) and the menu button opening the Mini App when it is https.
 * Nothing here is fatal: failures are logged. Resolves to the unsubscribe from role changes.
 */
export async function setUpBot(deps: SetupDeps, api: Api): Promise<() => Promise<void>> {
  await setDefaultCommands(deps, api);
  await setMenuButton(deps, api);
  const apply = staffMenus(deps, api);
  try {
    for (const id of await deps.users.activeStaffIds()) {
      await apply(await deps.users.getById(id));
    }
  } catch (error) {
    deps.logger.warn({ err: error }, 'bot setup: staff commands failed');
  }
  const onEvent = (event: DomainEvent) => {
    if (event.type !== 'user.access_changed' || !event.user_id) return;
    deps.users
      .getById(event.user_id)
      .then(apply)
      .catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'bot setup: staff commands after a role change failed');
      });
  };
  try {
    return await deps.events.subscribe(onEvent);
  } catch (error) {
    deps.logger.warn({ err: error }, 'bot setup: not following role changes');
    return () => Promise.resolve();
  }
}
