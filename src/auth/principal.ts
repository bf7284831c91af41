import type { UserRole } from '../db/schema.js';

/** Who is making a request, established from a valid access token. */
export interface Principal {
  userId: string;
  role: UserRole;
  sessionId: string;
}

/** Who acts on something: the signed-in caller, or a staff member through the bot. */
export type Actor = Pick<Principal, 'userId' | 'role'>;
