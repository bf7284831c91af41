import { describe, expect, it } from 'vitest';
import { startFakeBotApi } from '../../test/fake-bot-api.js';
import { createBotApi } from './bot-api.js';
import { createBotProfile } from './bot-profile.js';
import { ticketCard, topicName, topicNameLimit } from './ticket-card.js';

describe('a ticket’s topic name and card', () => {
  it('names the topic #number · title, the title on one line', () => {
    expect(topicName({ number: 42, title: 'Printer\n  jams  again' })).toBe(
      '#42 · Printer jams again',
    );
  });

  it('cuts a long name to Telegram’s 128 characters with an ellipsis, never inside an emoji', () => {
    const name = topicName({ number: 7, title: `${'a'.repeat(119)}😀😀😀` });
    expect(name.length).toBeLessThanOrEqual(topicNameLimit);
    expect(name.endsWith('…')).toBe(true);
    expect(name).not.toMatch(/[\uD800-\uDBFF]…$/);
  });

  it('says in the customer’s language where to write, the title escaped', () => {
    const ticket = { number: 5, title: 'A <b> & c', status: 'open' as const };
    expect(ticketCard('ru', ticket, 'topic')).toBe(
      '✅ Обращение <b>#5</b> создано\n<b>A &lt;b&gt; &amp; c</b>\nСтатус: Открыто\n\n' +
        'Ответы поддержки и смена статуса придут в эту тему. Всё, что вы напишете здесь, ' +
        'добавится к обращению.',
    );
    expect(ticketCard('en', ticket, 'reply')).toContain('reply to this message');
  });
});

describe('the bot’s profile (getMe)', () => {
  it('reads has_topics_enabled once, and again after a failed read', async () => {
    const fake = await startFakeBotApi({ privateTopics: true });
    try {
      const profile = createBotProfile(createBotApi({ token: fake.token, apiRoot: fake.url }));
      fake.failNext('getMe', { status: 502 });
      await expect(profile.topicsEnabled()).rejects.toThrow();
      expect(await profile.topicsEnabled()).toBe(true);
      expect(await profile.topicsEnabled()).toBe(true);
      expect(fake.sent('getMe')).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('says no for a bot without topics in private chats', async () => {
    const fake = await startFakeBotApi();
    try {
      const profile = createBotProfile(createBotApi({ token: fake.token, apiRoot: fake.url }));
      expect(await profile.topicsEnabled()).toBe(false);
    } finally {
      await fake.close();
    }
  });
});
