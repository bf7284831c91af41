import { userRoles, type UserRole } from '../db/schema.js';

/** A role's place in `user < agent < moderator < admin < owner`. */
export function roleRank(role: UserRole): number {
  return userRoles.indexOf(role);
}

/**
 * The one table of who may do what: each action names the lowest role allowed to do it, and
 * every role above inherits it. Routes and bot handlers ask `can()`; nobody compares roles by hand.
 */
export const permissions = {
  'profile.read': 'user',
  'profile.update': 'user',
  'tickets.create': 'user',
  'tickets.read_own': 'user',
  'tickets.read_all': 'agent',
  'tickets.assign': 'agent',
  'tickets.change_status': 'agent',
  'tickets.delete': 'admin',
  'messages.internal': 'agent',
  'messages.delete_any': 'moderator',
  'categories.read_inactive': 'agent',
  'categories.manage': 'admin',
  'users.list': 'moderator',
  /** Agents assign tickets to colleagues, so they may list active staff (not customers). */
  'users.list_staff': 'agent',
  'users.block': 'moderator',
  'users.activity': 'moderator',
  'users.set_role': 'admin',
  'stats.read': 'agent',
  /** The analytics of any period (`GET /stats/*`): figures of the whole team. */
  'stats.analytics': 'moderator',
  /** Use and keep one's own canned replies, and read the shared ones (`canned-replies/`). */
  'canned_replies.use': 'agent',
  /** Create, change and delete the team's shared canned replies. */
  'canned_replies.manage_shared': 'moderator',
  /** Download a period's PDF or spreadsheet report, or have it sent to one's Telegram chat. */
  'reports.export': 'moderator',
  'broadcast.send': 'admin',
  /** See and lift the abuse guard's bans of client addresses. */
  'abuse.bans': 'admin',
  'notifications.read_own': 'user',
  /** Read and change the admin-editable settings (`settings/`). */
  'settings.manage': 'admin',
  /** The first-run checklist under /start (docs/operations.md, "First start"). */
  'setup.checklist': 'owner',
} as const satisfies Record<string, UserRole>;

/** An action named in the permission table. */
export type Permission = keyof typeof permissions;

/** True when `role` may perform `permission`. */
export function can(role: UserRole, permission: Permission): boolean {
  return roleRank(role) >= roleRank(permissions[permission]);
}

/** True when `role` is staff (agent or above). */
export function isStaff(role: UserRole): boolean {
  return roleRank(role) >= roleRank('agent');
}

/**
 * Nobody grants a role at or above their own, except an owner (who may grant any role).
 * Nobody changes the role of someone at or above their own rank, except an owner.
 */
export function canGrantRole(
  actor: UserRole,
  currentTargetRole: UserRole,
  newRole: UserRole,
): boolean {
  if (actor === 'owner') return true;
  return roleRank(newRole) < roleRank(actor) && roleRank(currentTargetRole) < roleRank(actor);
}

/** True when `actor` may block or unblock someone whose role is `target` (never a higher role). */
export function canModerate(actor: UserRole, target: UserRole): boolean {
  if (!can(actor, 'users.block')) return false;
  return actor === 'owner' || roleRank(target) < roleRank(actor);
}
