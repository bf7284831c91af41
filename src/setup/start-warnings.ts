import type { Config } from '../config.js';
import type { UserService } from '../users/service.js';

/**
 * What the operator must hear at start-up about an install that cannot serve customers yet:
 * without an owner nobody can ever be made staff, and without staff who have written to the bot
 * new tickets reach no one (Telegram lets a bot write only to those who started it). Nothing in
 * demo mode, whose demo users are the staff.
 */
export async function startWarnings(deps: {
  config: Pick<Config, 'demoMode' | 'OWNER_TELEGRAM_IDS'>;
  users: Pick<UserService, 'activeStaffIds'>;
}): Promise<string[]> {
  const { config, users } = deps;
  if (config.demoMode) return [];
  if (config.OWNER_TELEGRAM_IDS.length === 0) {
    return [
      'OWNER_TELEGRAM_IDS is not set: nobody is an owner, so nobody can give staff roles (/role) ' +
        'and new tickets reach no one. Set it to your Telegram user id and restart ' +
        '(docs/operations.md, "First start").',
    ];
  }
  if ((await users.activeStaffIds()).length === 0) {
    return [
      'no staff yet: new tickets reach no one until an owner (OWNER_TELEGRAM_IDS) sends /start ' +
        'to the bot; the owner then sees a setup checklist there (docs/operations.md, "First start").',
    ];
  }
  return [];
}
