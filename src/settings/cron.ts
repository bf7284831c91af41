import cronParser from 'cron-parser';

/**
 * True for a 5-field cron expression (minute hour day month weekday) that pg-boss's own parser
 * (cron-parser, which `queue.schedule` runs it through) accepts, so a saved schedule always runs.
 */
export function isFiveFieldCron(value: string): boolean {
  if (!/^\S+( \S+){4}$/.test(value.trim())) return false;
  try {
    cronParser.parseExpression(value.trim(), { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}
