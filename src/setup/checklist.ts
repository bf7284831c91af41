import { categoryInLanguage } from '../categories/in-language.js';
import type { CategoryService } from '../categories/service.js';
import type { Language } from '../i18n/language.js';
import { wantsTelegram } from '../notifications/service.js';
import { webAppUrl } from '../telegram/mini-app-button.js';
import type { UserService } from '../users/service.js';

/**
 * What an install has set up for taking tickets, item by item: the owner's checklist
 * (docs/operations.md, "First start"). Each item says whether it is done and what was found.
 */
export interface SetupState {
  /** Customers pick an active category in every new ticket. */
  categories: { done: boolean; active: { icon: string; name: string }[]; inactive: number };
  /** Active staff (agent and above) besides the owners. */
  staff: { done: boolean; count: number };
  /** The Mini App's address; Telegram opens it from buttons only over https. */
  miniApp: { done: boolean; url: string | undefined };
  /** Active staff, and how many of them Telegram tells of a new ticket. */
  alerts: { done: boolean; staff: number; reachable: number; blocked: number; muted: number };
}

/** How many of the checklist's items are done, and of how many. */
export function progress(state: SetupState): { done: number; total: number } {
  const items = [state.categories, state.staff, state.miniApp, state.alerts];
  return { done: items.filter((item) => item.done).length, total: items.length };
}

/**
 * Creates the setup checklist: it asks the categories and users services what exists, and the
 * configuration where the Mini App is, so it always shows the install as it is now.
 */
export function createSetupChecklist(deps: {
  categories: Pick<CategoryService, 'list'>;
  users: Pick<UserService, 'activeStaffProfiles'>;
  miniAppUrl: string | undefined;
}) {
  const { categories, users, miniAppUrl } = deps;

  async function allCategories() {
    const found = [];
    let cursor: string | undefined;
    do {
      const page = await categories.list({
        includeInactive: true,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      found.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return found;
  }

  return {
    /** The install's state now, categories named in `language`. */
    async read(language: Language): Promise<SetupState> {
      const all = await allCategories();
      const active = all.filter((category) => category.is_active);
      const staff = await users.activeStaffProfiles();
      const blocked = staff.filter((profile) => profile.botBlockedAt !== null).length;
      const muted = staff.filter(
        (profile) =>
          profile.botBlockedAt === null &&
          profile.notificationSettings.muted_types.includes('ticket_created'),
      ).length;
      const reachable = staff.filter((profile) =>
        wantsTelegram(profile, 'ticket_created', null),
      ).length;
      const others = staff.filter((profile) => profile.role !== 'owner').length;
      return {
        categories: {
          done: active.length > 0,
          active: active.map((category) => {
            const { icon, name } = categoryInLanguage(category, language);
            return { icon, name };
          }),
          inactive: all.length - active.length,
        },
        staff: { done: others > 0, count: others },
        miniApp: { done: webAppUrl(miniAppUrl) !== undefined, url: miniAppUrl },
        alerts: { done: reachable > 0, staff: staff.length, reachable, blocked, muted },
      };
    },
  };
}

/** The setup checklist. */
export type SetupChecklist = ReturnType<typeof createSetupChecklist>;
