import { sql, type SQL, type SQLChunk } from 'drizzle-orm';
import type { SqlExecutor, Tx } from './client.js';

/** Where a `$n` is not a placeholder: quoted text, comments and dollar-quoted bodies. */
const notPlaceholders = [
  String.raw`'(?:[^']|'')*'`,
  String.raw`"(?:[^"]|"")*"`,
  String.raw`--[^\n]*`,
  String.raw`/\*[\s\S]*?\*/`,
  String.raw`(\$(?:[A-Za-z_]\w*)?\$)[\s\S]*?\1`,
];
const sqlTokens = new RegExp(`${notPlaceholders.join('|')}|\\$(\\d+)`, 'g');

/**
 * An `SqlExecutor` running inside a Drizzle transaction, e.g. to `send` a job with the rows that
 * caused it. `$1…$n` placeholders become Drizzle parameters; timestamps come back as strings.
 */
export function transactionExecutor(tx: Tx): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const result: unknown = await tx.execute(bindParameters(text, values));
      return { rows: rowsOf(result) };
    },
  };
}

/**
 * Turns PostgreSQL-style `text` with `$n` placeholders and their values into Drizzle `sql`. A
 * placeholder used twice stays one parameter, as in PostgreSQL: Drizzle numbers parameters in
 * order of appearance, so a repeat refers back to the number its first use got. (Two separate
 * parameters would each get their own type, and pg-boss uses one value both as text and as a
 * timestamp.)
 */
export function bindParameters(text: string, values: readonly unknown[]): SQL {
  const chunks: SQLChunk[] = [];
  const bound = new Map<number, number>();
  let start = 0;
  for (const match of text.matchAll(sqlTokens)) {
    if (match[2] === undefined) continue;
    const position = Number(match[2]);
    if (position < 1 || position > values.length) {
      throw new RangeError(`$${position} has no value: ${values.length} given`);
    }
    chunks.push(sql.raw(text.slice(start, match.index)));
    const earlier = bound.get(position);
    if (earlier === undefined) {
      bound.set(position, bound.size + 1);
      chunks.push(sql.param(values[position - 1]));
    } else {
      chunks.push(sql.raw(`$${earlier}`));
    }
    start = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(start)));
  return sql.join(chunks);
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  // node-postgres answers a raw query with `{ rows }` (the embedded database too: `pglite.ts`).
  return (result as { rows: Record<string, unknown>[] }).rows;
}
