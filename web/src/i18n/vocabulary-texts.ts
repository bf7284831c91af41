// With `.js`, as the server's code imports: src/i18n/vocabulary.test.ts reads these texts too.
import type { Vocabulary } from '../../../src/i18n/vocabulary.js';

/**
 * The Mini App's texts for status, priority and role names, from the one vocabulary the bot and
 * notifications use, so ru.ts and en.ts hold no copy of them.
 */
export function vocabularyTexts(words: Vocabulary) {
  return {
    role_user: words.roles.user,
    role_agent: words.roles.agent,
    role_moderator: words.roles.moderator,
    role_admin: words.roles.admin,
    role_owner: words.roles.owner,
    status_open: words.statuses.open,
    status_in_progress: words.statuses.in_progress,
    status_waiting: words.statuses.waiting,
    status_resolved: words.statuses.resolved,
    status_closed: words.statuses.closed,
    priority_low: words.priorities.low,
    priority_normal: words.priorities.normal,
    priority_high: words.priorities.high,
    priority_critical: words.priorities.critical,
  };
}
