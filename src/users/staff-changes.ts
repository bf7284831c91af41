import { asc, eq, or } from 'drizzle-orm';
import { can, type Permission } from '../auth/permissions.js';
import type { Actor } from '../auth/principal.js';
import type { Tx } from '../db/client.js';
import { users, type UserRow } from '../db/schema.js';
import { Forbidden, NotFound } from '../errors.js';

/** A role or block change: the columns it sets and its audit entry's fields. */
export interface StaffChange {
  changes: Pick<Partial<UserRow>, 'role' | 'isActive'>;
  action: 'user.role_changed' | 'user.blocked' | 'user.unblocked';
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Locks the user and every owner, in id order, for a role or block change: whoever comes second
 * waits and then sees the first one's result, so two changes cannot both remove the last owner,
 * and one lock order means they never deadlock. Owners are few, so this stays cheap.
 */
export async function lockWithOwners(tx: Tx, userId: string) {
  const rows = await tx
    .select()
    .from(users)
    .where(or(eq(users.id, userId), eq(users.role, 'owner')))
    .orderBy(asc(users.id))
    .for('update');
  const target = rows.find((row) => row.id === userId);
  if (!target) throw new NotFound('User not found');
  // Active owners besides this user: those who would still run the place after the change.
  const spareOwners = rows.filter(
    (row) => row.id !== userId && row.role === 'owner' && row.isActive,
  ).length;
  return { target, spareOwners };
}

/** Refuses (403) an actor whose role lacks `permission`. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) {
    throw new Forbidden(`Your role (${actor.role}) may not do this`);
  }
}
