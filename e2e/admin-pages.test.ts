/**
 * Every new page of the admin console and the notification centre (issue 17) whole, in Chromium
 * opened as Telegram opens the Mini App, in English in the dark theme and in Russian in both: the
 * owner's dashboard links, the admin home, the people list and its filters, Marina's person page
 * with its role and block sheets, the categories and the category form, the settings, and the
 * notifications with their preferences. English in the light theme, and what the pages do, are
 * e2e/admin.test.ts: a file of their own so that the two halves run side by side.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { call, hasChromium } from './harness.js';
import {
  checkEveryNewPage,
  openAdminWorld,
  type AdminWorld,
  type Language,
  type Theme,
} from './admin-world.js';

const looks: [Language, Theme][] = [
  ['en', 'dark'],
  ['ru', 'light'],
  ['ru', 'dark'],
];

describe.runIf(hasChromium)('admin console and notification centre: every new page', () => {
  let world: AdminWorld;

  beforeAll(async () => {
    world = await openAdminWorld();
    // Marina an agent, as the owner makes her in admin.test.ts: her page has a timeline.
    await call(world.server.url, world.ownerToken, 'PUT', `/users/${world.ids.marina}/role`, {
      role: 'agent',
    });
  });

  afterAll(() => world?.close());

  for (const [language, theme] of looks) {
    it(`shows every new page whole: ${language}-${theme}`, () =>
      checkEveryNewPage(world, language, theme));
  }
});
