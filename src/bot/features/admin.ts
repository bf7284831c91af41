import { Composer } from 'grammy';
import type { BotDeps } from '../bot.js';
import type { BotContext } from '../context.js';
import { broadcastFeature } from './admin/broadcast.js';
import { panelFeature } from './admin/panel.js';
import { roleFeature } from './admin/role.js';
import { statsFeature } from './admin/stats.js';

/**
 * Staff and admin tools: `/admin` (the panel), `/stats`, `/role` and `/broadcast`. Each tool
 * checks its own permission (`auth/permissions.ts`) and refuses others politely.
 */
export function adminFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(panelFeature(deps), statsFeature(deps), roleFeature(deps), broadcastFeature(deps));
  return composer;
}
