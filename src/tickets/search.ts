import { sql, type SQL } from 'drizzle-orm';
import { tickets } from '../db/schema.js';

const MAX_TERMS = 8;
const WORD = /[\p{L}\p{N}]+/gu;
const TICKET_NUMBER = /^#?(\d{1,9})$/;

const configs = ['simple', 'russian', 'english'].map((config) => sql.raw(`'${config}'::regconfig`));

/** One typed word as a prefix query of its written form and of its Russian and English stems. */
function termQuery(prefix: string): SQL {
  const queries = configs.map((config) => sql`to_tsquery(${config}, ${prefix})`);
  return sql`(${sql.join(queries, sql.raw(' || '))})`;
}

/**
 * The search condition for what a person typed: every word must match the title or the
 * description, as a prefix of a word as written or of its Russian or English stem (the search
 * document holds all three; see `db/schema.ts`). A bare number like `123` or `#123` also finds
 * ticket #123. Only letters and digits reach the query, each as a bound parameter, so nothing
 * typed can change the SQL. Undefined when nothing was typed.
 */
export function ticketSearchCondition(text: string): SQL | undefined {
  const trimmed = text.trim();
  const terms = (trimmed.toLowerCase().match(WORD) ?? []).slice(0, MAX_TERMS);
  // Typed something, but nothing searchable (`!!!`): nothing matches. Typed nothing: no filter.
  if (terms.length === 0) return trimmed ? sql`false` : undefined;
  const perTerm = terms.map((term) => termQuery(term.slice(0, 64) + ':*'));
  const matches = sql.join(perTerm, sql.raw(' && '));
  const words = sql`${tickets.searchVector} @@ (${matches})`;
  const number = TICKET_NUMBER.exec(trimmed)?.[1];
  return number ? sql`(${words} or ${tickets.number} = ${Number(number)})` : words;
}
