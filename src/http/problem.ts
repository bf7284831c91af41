import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/** An RFC 9457 problem document: the body of every error reply. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().optional().describe('Stable machine-readable reason, e.g. session_revoked'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Field problems of a 422'),
  })
  .meta({ id: 'Problem' });

/** A problem document. */
export type Problem = z.infer<typeof problemSchema>;

/** Builds a problem document for `status`. */
export function problem(
  status: number,
  detail: string,
  extra: { code?: string; errors?: NonNullable<Problem['errors']> } = {},
): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

/** Response-schema entries documenting the error replies of a route in OpenAPI. */
export function problemResponses<S extends number>(
  ...statuses: S[]
): Record<S, typeof problemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, problemSchema])) as Record<
    S,
    typeof problemSchema
  >;
}
