import { z } from 'zod';
import { statsQueryShape } from '../stats/schemas.js';
import { reportFormats } from './service.js';

const format = z
  .enum(reportFormats)
  .describe('`pdf` (A4, charts as vectors) or `xlsx` (a sheet per part and the raw tickets)');

/** `GET /reports` query: the format, the period and the filters of the stats endpoints. */
export const reportQuery = z.strictObject({ format, ...statsQueryShape });

/** `POST /reports/send` body. */
export const sendReportBody = z.strictObject({ format, ...statsQueryShape });

/** `POST /reports/send` reply. */
export const reportQueuedSchema = z
  .object({ queued: z.literal(true) })
  .meta({ id: 'ReportQueued', description: 'The report is on its way to the Telegram chat' });
