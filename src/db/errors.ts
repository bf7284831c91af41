/** The PostgreSQL error code (SQLSTATE) of a failed query, looking through Drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** SQLSTATE 23505: a unique index refused a duplicate. */
export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';

/** SQLSTATE 23503: a foreign key refused the change (e.g. the row is still referenced). */
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === '23503';
