import { ApiError } from '../../api/client';
import { tc, type ConsoleKey } from '../../i18n/console';

const refusals: Readonly<Record<string, ConsoleKey>> = {
  role_not_grantable: 'refused_role_not_grantable',
  own_role: 'refused_own_role',
  last_owner: 'refused_last_owner',
  own_status: 'refused_own_status',
  target_outranks: 'refused_target_outranks',
};

/**
 * What a refusal of the API means, in the user's words: the known problem codes (src/users/
 * service.ts) by name, any other 403/409 as “not allowed” with the server's explanation.
 */
export function refusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return tc('failed', { reason: String(error) });
  const known = error.code ? refusals[error.code] : undefined;
  if (known) return tc(known);
  if (error.status === 403 || error.status === 409) return `${tc('refused')}: ${error.message}`;
  return tc('failed', { reason: error.message });
}
