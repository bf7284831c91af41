import { z } from 'zod';
import { cannedReplyLanguages, type CannedReplyRow } from '../db/schema.js';
import { cursorParam, limitParam } from '../http/list-query.js';
import { placeholderNames } from './placeholders.js';

const listed = placeholderNames.map((name) => `\`{${name}}\``).join(', ');
const placeholdersNote = `Plain text; may hold ${listed}`;

/** A canned reply (docs/api.md#canned-replies). */
export const cannedReplySchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    shortcut: z.string().describe('One lower-case word that finds it: `/refund`, `@bot refund`'),
    body: z.string().describe(placeholdersNote),
    language: z
      .enum(cannedReplyLanguages)
      .describe('The customers it is written for: `ru`, `en`, or `any` language'),
    scope: z
      .enum(['personal', 'shared'])
      .describe('Personal: its owner’s alone; shared: the whole team’s'),
    owner_id: z.uuid().nullable().describe('The owner of a personal reply; null when shared'),
    created_by: z.uuid().nullable(),
    updated_by: z.uuid().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'CannedReply', description: 'A saved answer staff insert into replies' });

/** A canned reply in API shape. */
export type CannedReplyDto = z.infer<typeof cannedReplySchema>;

const fields = {
  title: z.string().trim().min(1).max(100),
  shortcut: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[\p{L}\p{N}_-]+$/u, 'must be one word: letters, digits, _ or -')
    .transform((value) => value.toLowerCase())
    .describe('One word of letters, digits, `_` or `-`, at most 32; stored in lower case'),
  body: z.string().min(1).max(4000).describe(placeholdersNote),
  language: z.enum(cannedReplyLanguages),
};

/** The body of `POST /canned-replies`. */
export const createCannedReplyBody = z
  .strictObject({
    title: fields.title,
    shortcut: fields.shortcut,
    body: fields.body,
    language: fields.language.default('any'),
    scope: z
      .enum(['personal', 'shared'])
      .default('personal')
      .describe('Shared ones are created by moderators and above only'),
  })
  .meta({ id: 'CannedReplyCreate' });

/** The body of `PATCH`/`PUT /canned-replies/{id}`: any of the fields, at least one. */
export const updateCannedReplyBody = z
  .strictObject({
    title: fields.title.optional(),
    shortcut: fields.shortcut.optional(),
    body: fields.body.optional(),
    language: fields.language.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' })
  .meta({ id: 'CannedReplyUpdate' });

/** `GET /canned-replies` query. */
export const cannedReplyListQuery = z.strictObject({
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .describe('Words found in the shortcut, title or body (case-insensitive)'),
  language: z
    .enum(['ru', 'en'])
    .optional()
    .describe('Only replies in this language and those for `any` language'),
  limit: limitParam,
  cursor: cursorParam,
});

/** `GET /canned-replies/{id}/filled` query. */
export const fillQuery = z.strictObject({
  ticket_id: z.uuid().describe('The ticket the reply is for; it must be visible to the caller'),
});

/** A canned reply filled in for one ticket. */
export const filledReplySchema = z
  .object({
    id: z.uuid(),
    text: z.string().describe('The body with every placeholder filled'),
  })
  .meta({ id: 'FilledCannedReply' });

/** A new reply's fields. */
export type CannedReplyInput = z.infer<typeof createCannedReplyBody>;
/** Changes to a reply. */
export type CannedReplyPatch = z.infer<typeof updateCannedReplyBody>;
/** A list query. */
export type CannedReplyListQuery = z.infer<typeof cannedReplyListQuery>;

/** Shapes a canned reply row for the API. */
export function toCannedReplyDto(row: CannedReplyRow): CannedReplyDto {
  return {
    id: row.id,
    title: row.title,
    shortcut: row.shortcut,
    body: row.body,
    language: row.language,
    scope: row.ownerId === null ? 'shared' : 'personal',
    owner_id: row.ownerId,
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
