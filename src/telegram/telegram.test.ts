import { describe, expect, it } from 'vitest';
import { startFakeBotApi } from '../../test/fake-bot-api.js';
import { createBotApi } from './bot-api.js';
import { escapeHtml } from './html.js';
import { openTicketButton, webAppUrl } from './mini-app-button.js';

describe('Telegram helpers', () => {
  it('escapes the characters HTML parse mode treats as markup', () => {
    expect(escapeHtml('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; &quot;d&quot;');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('opens a ticket in the Mini App through a startapp query parameter, keeping the URL’s own', () => {
    expect(openTicketButton('https://app.example.com/', 12, 'Open')).toMatchObject({
      web_app: { url: 'https://app.example.com/?startapp=ticket_12' },
    });
    expect(openTicketButton('https://example.com/app?lang=ru', 7, 'Open')).toMatchObject({
      web_app: { url: 'https://example.com/app?lang=ru&startapp=ticket_7' },
    });
    expect(openTicketButton('https://app.example.com', 3, 'Open')).toEqual({
      text: 'Open',
      web_app: { url: 'https://app.example.com/?startapp=ticket_3' },
    });
    expect(webAppUrl('https://app.example.com/', 'admin')).toBe(
      'https://app.example.com/?startapp=admin',
    );
    expect(webAppUrl('https://app.example.com/x')).toBe('https://app.example.com/x');
  });

  it('gives no button when the Mini App URL is not https, as Telegram refuses those', () => {
    expect(openTicketButton('http://127.0.0.1:3000/', 3, 'Open')).toBeUndefined();
    expect(openTicketButton(undefined, 3, 'Open')).toBeUndefined();
    expect(webAppUrl('http://127.0.0.1:3000/', 'admin')).toBeUndefined();
    expect(webAppUrl(undefined)).toBeUndefined();
  });

  it('talks to the Bot API root it is given', async () => {
    const fake = await startFakeBotApi();
    try {
      const api = createBotApi(fake.token, fake.url);
      await api.sendMessage(5, 'hello');
      expect(fake.sent('sendMessage')[0]?.params).toMatchObject({ chat_id: 5, text: 'hello' });
    } finally {
      await fake.close();
    }
  });
});
