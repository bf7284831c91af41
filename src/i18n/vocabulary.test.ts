import { describe, expect, it } from 'vitest';
import { en as webEnglish } from '../../web/src/i18n/en.js';
import { ru as webRussian } from '../../web/src/i18n/ru.js';
import { textsFor as botTextsFor } from '../bot/texts/index.js';
import { ticketPriorities, ticketStatuses, userRoles } from '../db/schema.js';
import { textsFor as notificationTextsFor } from '../notifications/texts.js';
import { languages } from './language.js';
import { inSentence, vocabulary } from './vocabulary.js';

const webTexts = { ru: webRussian, en: webEnglish };
const now = new Date('2025-03-10T12:00:00Z');
const noCounts = { open: 0, in_progress: 0, waiting: 0, resolved: 0, closed: 0 };

describe('one vocabulary of statuses, priorities and roles', () => {
  it('names every status, priority and role of the API in both languages', () => {
    for (const language of languages) {
      const words = vocabulary[language];
      expect(Object.keys(words.statuses), language).toEqual([...ticketStatuses]);
      expect(Object.keys(words.priorities), language).toEqual([...ticketPriorities]);
      expect(Object.keys(words.roles), language).toEqual([...userRoles]);
    }
  });

  it('names no two statuses alike', () => {
    for (const language of languages) {
      const words = Object.values(vocabulary[language].statuses);
      expect(new Set(words).size, language).toBe(words.length);
    }
  });

  for (const language of languages) {
    const words = vocabulary[language];
    const bot = botTextsFor(language);
    const notifications = notificationTextsFor(language);
    const web = webTexts[language];

    it(`shows every status with the same word in the bot, notifications and the Mini App (${language})`, () => {
      for (const status of ticketStatuses) {
        const word = words.statuses[status];
        const ticket = { number: 7, title: 'Printer', status, priority: 'low' as const };
        expect(bot.common.status_line({ ...ticket, updatedAt: now }, now), status).toContain(word);
        expect(bot.support.created(ticket), status).toContain(word);
        expect(bot.admin.panel_header({ ...noCounts, [status]: 4 }), status).toContain(
          `${word}: <b>4</b>`,
        );
        expect(notifications.status_content('Printer', status), status).toContain(
          inSentence(word, language),
        );
        expect(web[`status_${status}`], status).toBe(word);
      }
    });

    it(`shows every priority with the same word in the bot and the Mini App (${language})`, () => {
      for (const priority of ticketPriorities) {
        const word = words.priorities[priority];
        const ticket = { number: 7, title: 'Printer', status: 'open' as const, priority };
        expect(bot.common.status_line({ ...ticket, updatedAt: now }, now), priority).toContain(
          inSentence(word, language),
        );
        expect(bot.support.priorities[priority], priority).toBe(word);
        expect(bot.support.ask_priority.toLowerCase(), priority).toContain(word.toLowerCase());
        expect(web[`priority_${priority}`], priority).toBe(word);
      }
    });

    it(`names every role in the Mini App with the vocabulary's word (${language})`, () => {
      for (const role of userRoles) expect(web[`role_${role}`], role).toBe(words.roles[role]);
    });
  }
});
