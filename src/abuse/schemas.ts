import { z } from 'zod';
import { cursorParam, limitParam, pageSchema } from '../http/list-query.js';
import type { Ban } from '../platform/ban-store.js';

/** A banned client address, as the admin endpoints show it. */
export const banSchema = z
  .object({
    ip: z.string().describe('The client address, as the server sees it (TRUST_PROXY applied)'),
    banned_at: z.iso.datetime(),
    banned_until: z.iso.datetime(),
    strikes: z
      .number()
      .int()
      .describe('Failed sign-ins and rate-limit refusals in the window that led to the ban'),
  })
  .meta({ id: 'IpBan', description: 'A client address refused for a while' });

/** A ban in API shape. */
export type BanDto = z.infer<typeof banSchema>;

/** A page of bans. */
export const banPageSchema = pageSchema(banSchema);

/** `GET /admin/bans`: by address, a page at a time. */
export const banListQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });

/** `DELETE /admin/bans/{ip}`. */
export const banParams = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IPv4 or IPv6 address' }),
});

/** Shapes a ban for the API. */
export function toBanDto(ban: Ban): BanDto {
  return {
    ip: ban.ip,
    banned_at: new Date(ban.since).toISOString(),
    banned_until: new Date(ban.until).toISOString(),
    strikes: ban.strikes,
  };
}
