import { sql, type SQL } from 'drizzle-orm';
import { users } from '../db/schema.js';

const MAX_SEARCH_TERMS = 8;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The search condition for what staff typed: every word must be the start of a word of the
 * username, first or last name. Only letters and digits reach the query, as one bound
 * parameter, so nothing typed can change the SQL. Undefined when nothing was typed.
 */
export function userSearchCondition(text: string): SQL | undefined {
  const terms = (text.toLowerCase().match(WORD) ?? []).slice(0, MAX_SEARCH_TERMS);
  // Typed something, but nothing searchable (`!!!`): nothing matches. Typed nothing: no filter.
  if (terms.length === 0) return text.trim() ? sql`false` : undefined;
  const query = terms.map((term) => `${term.slice(0, 64)}:*`).join(' & ');
  return sql`${users.searchVector} @@ to_tsquery('simple'::regconfig, ${query})`;
}
