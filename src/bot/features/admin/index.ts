import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { broadcastFeature } from './broadcast.js';
import { panelFeature } from './panel.js';
import { roleFeature } from './role.js';
import { statsFeature } from './stats.js';

/**
 * Staff and admin tools: `/admin` (the panel), `/stats`, `/role` and `/broadcast`. Each tool
 * is guarded by its permission (`auth/permissions.ts`, `bot/guard.ts`), which refuses others
 * politely.
 */
export function adminFeature(
  deps: Pick<BotDeps, 'tickets' | 'users' | 'stats' | 'broadcasts' | 'state' | 'config' | 'logger'>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(panelFeature(deps), statsFeature(deps), roleFeature(deps), broadcastFeature(deps));
  return composer;
}
