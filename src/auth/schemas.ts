import { z } from 'zod';
import { userRoles } from '../db/schema.js';
import { meSchema, notificationSettingsInput } from '../users/schemas.js';

/** `POST /auth/telegram`. */
export const telegramSignInBody = z.object({
  init_data: z
    .string()
    .min(1)
    .max(8192)
    .describe('Telegram.WebApp.initData exactly as the Mini App received it'),
});

/** `POST /auth/refresh`. */
export const refreshBody = z.object({
  refresh_token: z.string().min(1).max(512),
});

/** `POST /auth/demo`. */
export const demoSignInBody = z.object({
  role: z.enum(userRoles).describe('Which seeded demo user to sign in as'),
});

/** A fresh token pair. */
export const tokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until the access token expires'),
    user: meSchema,
  })
  .meta({ id: 'TokenPair' });

/** `PUT /auth/profile`. */
export const profileBody = z
  .object({
    language_code: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'must be a language code such as en or ru')
      .optional(),
    notification_settings: notificationSettingsInput.optional(),
    on_duty: z
      .boolean()
      .optional()
      .describe('Staff only (403 for customers): whether new tickets reach me in on_duty routing'),
  })
  .strict();
