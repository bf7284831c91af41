import { eq } from 'drizzle-orm';
import { users, type UserRole, type UserRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { Clock } from '../platform/clock.js';
import type { UserService } from './service.js';

/**
 * Sets a user's role or block state without the staff rules or an audit entry, for tests that
 * need a person in some role (`test/app.ts` adds these to a test app's users service). Production
 * code changes access only through `users.changeRole` / `users.changeStatus`, which check the
 * actor and audit the change; `npm run lint` refuses an import of this file from production code
 * (`.dependency-cruiser.cjs`).
 */
export interface UserDirectWrites {
  /** Blocks or unblocks a user; it takes effect on their very next request. */
  setActive(userId: string, isActive: boolean): Promise<UserRow>;
  /** Sets a user's role; it takes effect on their very next request. */
  setRole(userId: string, role: UserRole): Promise<UserRow>;
}

/** The direct writes over a users service, announcing each change as the service does. */
export function createUserDirectWrites(deps: {
  uow: UnitOfWork;
  clock: Clock;
  users: Pick<UserService, 'accessChanged'>;
}): UserDirectWrites {
  const { uow, clock } = deps;
  function setAccess(userId: string, changes: Pick<Partial<UserRow>, 'role' | 'isActive'>) {
    return uow.run(async (work) => {
      const [row] = await work.tx
        .update(users)
        .set({ ...changes, updatedAt: clock.now() })
        .where(eq(users.id, userId))
        .returning();
      if (!row) throw new NotFound('User not found');
      deps.users.accessChanged(work, row);
      return row;
    });
  }
  return {
    setActive: (userId, isActive) => setAccess(userId, { isActive }),
    setRole: (userId, role) => setAccess(userId, { role }),
  };
}

/** A users service with the direct writes added, as tests use it. */
export function withDirectWrites<T extends Pick<UserService, 'accessChanged'>>(
  service: T,
  deps: { uow: UnitOfWork; clock: Clock },
): T & UserDirectWrites {
  return Object.assign(service, createUserDirectWrites({ ...deps, users: service }));
}
