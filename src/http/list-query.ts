import { z } from 'zod';

/** `?limit=`: 1–100, default 20 (docs/api.md#conventions). */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .describe('Items per page, 1–100');

/** `?cursor=`: the `next_cursor` of the previous page. */
export const cursorParam = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\w-]+$/, 'is not a cursor this API gave out')
  .optional()
  .describe('The next_cursor of the previous page');

/**
 * `?fields=id,title`: only these fields of each item. Unknown names are a 422, so a typo is
 * noticed rather than silently answered with less.
 */
export function fieldsParam<const K extends string>(names: readonly K[]) {
  const allowed = new Set<string>(names);
  return z
    .string()
    .max(500)
    .transform((value, context) => {
      const fields = [...new Set(value.split(',').map((field) => field.trim()))].filter(Boolean);
      const unknown = fields.filter((field) => !allowed.has(field));
      if (unknown.length > 0 || fields.length === 0) {
        context.addIssue({
          code: 'custom',
          message: `unknown field(s) ${unknown.join(', ') || '(none given)'}; known: ${names.join(', ')}`,
        });
        return z.NEVER;
      }
      return fields as K[];
    })
    .optional()
    .describe(`Comma-separated fields to return of each item: ${names.join(', ')}`);
}

/** The reply of a list: a page of items and the cursor of the next page, if any. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .describe('Pass as ?cursor= for the next page; null at the end'),
  });
}

/**
 * A page where each item may be cut down to the `?fields=` asked for. Generic in the shape, not
 * the object: `partial()` of a bare `ZodObject` would type every field as `any`.
 */
export function sparsePageSchema<Shape extends z.ZodRawShape>(item: z.ZodObject<Shape>) {
  return pageSchema(
    item.partial().describe(`${item.description ?? 'Item'}; with ?fields=, only those fields`),
  );
}

/** Keeps only `fields` of each item, when the caller asked for some. */
export function pickFields<T extends object>(
  page: { items: T[]; next_cursor: string | null },
  fields: readonly (keyof T & string)[] | undefined,
): { items: Partial<T>[]; next_cursor: string | null } {
  if (!fields) return page;
  return {
    items: page.items.map(
      (item) => Object.fromEntries(fields.map((field) => [field, item[field]])) as Partial<T>,
    ),
    next_cursor: page.next_cursor,
  };
}
