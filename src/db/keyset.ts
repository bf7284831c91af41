import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { Invalid } from '../errors.js';

/** One page of a list, as every list endpoint answers (docs/api.md#conventions). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A sort order: its name, direction, and the columns it orders by, the last one unique. The
 * keys of `columns` are the row properties that hold those columns' values, so a page's last
 * row gives the next cursor without a second list of the same columns.
 */
export interface KeysetOrder {
  name: string;
  descending: boolean;
  columns: Readonly<Record<string, AnyColumn>>;
}

const cursorPayload = z.object({ s: z.string(), k: z.array(z.union([z.string(), z.number()])) });

type KeyValue = string | number;

/** A row's sort value as the cursor holds it: dates as ISO strings, the rest as they are. */
function keyValue(value: unknown): KeyValue {
  const normalised: unknown = value instanceof Date ? value.toISOString() : value;
  if (typeof normalised !== 'string' && typeof normalised !== 'number') {
    throw new TypeError(`A keyset column holds ${typeof value}, not a string, number or date`);
  }
  return normalised;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a time exactly as `Date#toISOString` writes it (what our cursors hold), years 1–9999. */
function isCursorTime(value: string): boolean {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return false;
  const year = time.getUTCFullYear();
  // Feb 31 parses (as Mar 2); only a value that survives the round trip is a real date.
  return year >= 1 && year <= 9999 && time.toISOString() === value;
}

/** True when `value` is something `column` can hold, judged by its Drizzle column type. */
function fitsColumn(column: AnyColumn | undefined, value: KeyValue): boolean {
  if (!column) return false;
  switch (column.columnType) {
    case 'PgUUID':
      return typeof value === 'string' && UUID.test(value);
    case 'PgTimestamp':
      return typeof value === 'string' && isCursorTime(value);
    case 'PgEnumColumn':
      return typeof value === 'string' && (column.enumValues ?? []).includes(value);
    case 'PgInteger':
      return typeof value === 'number' && Number.isSafeInteger(value);
    default:
      return typeof value === 'string' && value.length <= 1000;
  }
}

function badCursor(): Invalid {
  return new Invalid('The cursor is not one this list gave out', [
    { field: 'query.cursor', message: 'is not a valid cursor for this list and sort' },
  ]);
}

/**
 * Keyset pagination: rows are ordered by the order's columns (all in one direction, ending in a
 * unique id) and a page starts strictly after the last row of the previous one. Rows inserted
 * meanwhile can neither shift a row onto two pages nor push one off every page, which offsets do.
 */
export function keyset(order: KeysetOrder) {
  const direction = order.descending ? sql`desc` : sql`asc`;
  const columns = Object.values(order.columns);
  const keys = Object.keys(order.columns);
  return {
    /** The ORDER BY terms. */
    orderBy(): SQL[] {
      return columns.map((column) => sql`${column} ${direction}`);
    },

    /** The condition for rows after `cursor` (undefined for the first page); 422 for a bad one. */
    after(cursor: string | undefined): SQL | undefined {
      if (cursor === undefined) return undefined;
      const values = decode(cursor);
      const row = sql.join(columns, sql`, `);
      const bound = sql.join(
        values.map((value) => sql`${value}`),
        sql`, `,
      );
      return order.descending ? sql`(${row}) < (${bound})` : sql`(${row}) > (${bound})`;
    },

    /** Cuts the `limit + 1` rows fetched down to a page and names the cursor of the next one. */
    page<Row extends object, Item>(
      rows: Row[],
      limit: number,
      toItem: (row: Row) => Item,
    ): Page<Item> {
      const more = rows.length > limit;
      const pageRows = more ? rows.slice(0, limit) : rows;
      const last = pageRows.at(-1);
      return {
        items: pageRows.map(toItem),
        next_cursor:
          more && last ? encode(keys.map((key) => keyValue(Reflect.get(last, key)))) : null,
      };
    },
  };

  function encode(values: KeyValue[]): string {
    return Buffer.from(JSON.stringify({ s: order.name, k: values })).toString('base64url');
  }

  function decode(cursor: string): KeyValue[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw badCursor();
    }
    const result = cursorPayload.safeParse(parsed);
    if (!result.success || result.data.s !== order.name) throw badCursor();
    const values = result.data.k;
    if (values.length !== columns.length) throw badCursor();
    // A forged cursor must not reach the database as a value its column cannot hold.
    if (!values.every((value, index) => fitsColumn(columns[index], value))) {
      throw badCursor();
    }
    return values;
  }
}
