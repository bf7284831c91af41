import { z } from 'zod';
import type { CategoryRow, CategoryTranslations } from '../db/schema.js';

const translationsNote =
  'The name, and optionally the description, in other languages by ISO 639-1 code, ' +
  'e.g. `{"ru": {"name": "Оплата"}}`: clients show the one of their language, else `name`';

/** A ticket category (docs/api.md#categories). */
export const categorySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    icon: z.string().describe('An emoji shown beside the name'),
    color: z.string().describe('#rrggbb'),
    is_active: z.boolean().describe('Inactive categories cannot take new tickets'),
    sort_order: z.number().int(),
    open_count: z
      .number()
      .int()
      .optional()
      .describe('Staff only: tickets of this category that are open, in progress or waiting'),
    translations: z
      .record(z.string(), z.object({ name: z.string(), description: z.string().optional() }))
      .describe(translationsNote),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Category', description: 'A ticket category' });

/** A field of a category. */
export type CategoryDtoFields = keyof z.infer<typeof categorySchema>;

/** The fields `?fields=` may name. */
export const categoryFields = Object.keys(categorySchema.shape) as CategoryDtoFields[];

/** A category in API shape. */
export type CategoryDto = z.infer<typeof categorySchema>;

const fields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500),
  icon: z.string().trim().max(16).describe('An emoji, at most 16 characters'),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #34c759')
    .describe('#rrggbb'),
  sort_order: z.number().int().min(-100_000).max(100_000),
  is_active: z.boolean(),
};

const translations = z
  .record(
    z.string().regex(/^[a-z]{2}$/, 'must be a two-letter language code like ru'),
    z.strictObject({ name: fields.name, description: fields.description.optional() }),
  )
  .refine((map) => Object.keys(map).length <= 20, { message: 'at most 20 languages' })
  .describe(`${translationsNote}. Replaces all earlier translations.`);

/** The body of `POST /categories`. */
export const createCategoryBody = z
  .strictObject({
    name: fields.name,
    description: fields.description.default(''),
    icon: fields.icon.default(''),
    color: fields.color.default('#8e8e93'),
    sort_order: fields.sort_order.default(0),
    is_active: fields.is_active.default(true),
    translations: translations.default({}),
  })
  .meta({ id: 'CategoryCreate' });

/** The body of `PUT /categories/{id}`: any of the fields, at least one. */
export const updateCategoryBody = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    icon: fields.icon.optional(),
    color: fields.color.optional(),
    sort_order: fields.sort_order.optional(),
    is_active: fields.is_active.optional(),
    translations: translations.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' })
  .meta({ id: 'CategoryUpdate' });

/** The body of `PUT /categories/order`: every category's id, in the new display order. */
export const categoryOrderBody = z
  .strictObject({
    ids: z
      .array(z.uuid())
      .min(1)
      .max(1000)
      .describe('Every category (active or not) exactly once, first shown first'),
  })
  .meta({ id: 'CategoryOrder' });

/** A new category's fields (no translations unless given). */
export type CategoryInput = Omit<z.infer<typeof createCategoryBody>, 'translations'> & {
  translations?: CategoryTranslations;
};
/** Changes to a category. */
export type CategoryPatch = z.infer<typeof updateCategoryBody>;

/** Shapes a category row for the API; with its open tickets when `openCount` is given. */
export function toCategoryDto(row: CategoryRow, openCount?: number): CategoryDto {
  return {
    ...(openCount === undefined ? {} : { open_count: openCount }),
    id: row.id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    color: row.color,
    is_active: row.isActive,
    sort_order: row.sortOrder,
    translations: row.translations,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
