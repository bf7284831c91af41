import { z } from 'zod';
import type { TicketRatingRow } from '../db/schema.js';

/** How long after it was first given a rating may still change: a day. */
export const ratingWindowMs = 24 * 60 * 60 * 1000;

/** The longest comment of a rating, in characters. */
export const ratingCommentMax = 1000;

/** `POST /tickets/{id}/rating` body. */
export const ratingBody = z
  .strictObject({
    score: z.number().int().min(1).max(5).describe('1 (poor) to 5 (excellent)'),
    comment: z
      .string()
      .trim()
      .max(ratingCommentMax)
      .nullable()
      .optional()
      .describe('Plain text; omitted keeps the comment given before, null or empty removes it'),
  })
  .meta({ id: 'RatingCreate' });

/** A rating as given. */
export type RatingInput = z.infer<typeof ratingBody>;

/** A customer's rating of one resolution of their ticket. */
export const ratingSchema = z
  .object({
    ticket_id: z.uuid(),
    score: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    resolved_at: z.iso.datetime().describe('When the resolution rated here happened'),
    created_at: z.iso.datetime().describe('When the rating was first given'),
    updated_at: z.iso.datetime(),
    changeable_until: z.iso.datetime().describe('A day after it was first given'),
  })
  .meta({ id: 'Rating', description: 'A customer’s rating of a resolution of their ticket' });

/** A rating in API shape. */
export type RatingDto = z.infer<typeof ratingSchema>;

/** `GET /tickets/{id}/rating`: the current resolution's rating and whether the caller may rate. */
export const ticketRatingSchema = z
  .object({
    rating: ratingSchema
      .nullable()
      .describe('The rating of the current resolution; null when none (or no resolution)'),
    can_rate: z
      .boolean()
      .describe(
        'The caller is the customer, the ticket is resolved (or closed after it was), and the ' +
          'rating is not given yet or still changeable',
      ),
  })
  .meta({ id: 'TicketRating' });

/** The rating state of a ticket in API shape. */
export type TicketRatingDto = z.infer<typeof ticketRatingSchema>;

/** Shapes a rating row for the API. */
export function toRatingDto(row: TicketRatingRow): RatingDto {
  return {
    ticket_id: row.ticketId,
    score: row.score,
    comment: row.comment,
    resolved_at: row.resolvedAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    changeable_until: new Date(row.createdAt.getTime() + ratingWindowMs).toISOString(),
  };
}
