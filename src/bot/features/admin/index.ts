import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { broadcastFeature } from './broadcast.js';
import { panelFeature } from './panel.js';
import { roleFeature } from './role.js';
import { reportFeature } from './report.js';
import { statsFeature } from './stats.js';

/**
 * Staff and admin tools: `/admin` (the panel), `/stats`, `/report`, `/role` and `/broadcast`. Each tool
 * is guarded by its permission (`auth/permissions.ts`, `bot/guard.ts`), which refuses others
 * politely.
 */
export function adminFeature(
  deps: Pick<
    BotDeps,
    | 'tickets'
    | 'users'
    | 'stats'
    | 'reports'
    | 'clock'
    | 'broadcasts'
    | 'state'
    | 'config'
    | 'logger'
  >,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(
    panelFeature(deps),
    statsFeature(deps),
    reportFeature(deps),
    roleFeature(deps),
    broadcastFeature(deps),
  );
  return composer;
}
