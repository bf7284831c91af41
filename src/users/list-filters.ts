import { and, eq, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import { isStaff } from '../auth/permissions.js';
import { userRoles, users } from '../db/schema.js';
import type { UserFilters } from './schemas.js';
import { userSearchCondition } from './search.js';

const staffRoles = userRoles.filter((role) => isStaff(role));
const ALL_DIGITS = /^\d{1,16}$/;

/**
 * What staff typed, as a condition: the name search, or, when it is all digits, that search or
 * the user with exactly that Telegram id (ids are looked up by the unique index).
 */
function searchCondition(text: string): SQL | undefined {
  const byName = userSearchCondition(text);
  const digits = text.trim();
  if (!ALL_DIGITS.test(digits) || !Number.isSafeInteger(Number(digits))) return byName;
  return or(byName, eq(users.telegramId, Number(digits)));
}

/** Staff (agent and above) or customers (role `user`); undefined for everyone. */
function kindCondition(kind: UserFilters['kind']): SQL | undefined {
  if (kind === undefined) return undefined;
  return kind === 'staff' ? inArray(users.role, staffRoles) : eq(users.role, 'user');
}

/** The WHERE condition of the user list and its export, for these filters. */
export function userFilterCondition(filters: UserFilters): SQL | undefined {
  return and(
    filters.role === undefined ? undefined : eq(users.role, filters.role),
    kindCondition(filters.kind),
    filters.is_active === undefined ? undefined : eq(users.isActive, filters.is_active),
    filters.q === undefined ? undefined : searchCondition(filters.q),
    filters.last_seen_after === undefined
      ? undefined
      : gte(users.lastSeenAt, filters.last_seen_after),
    filters.last_seen_before === undefined
      ? undefined
      : lt(users.lastSeenAt, filters.last_seen_before),
  );
}
