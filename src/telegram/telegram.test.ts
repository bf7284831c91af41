import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { createBotApi } from './bot-api.js';
import { createTelegramFiles, type TelegramFiles } from './file-download.js';
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
      const api = createBotApi({ token: fake.token, apiRoot: fake.url });
      await api.sendMessage(5, 'hello');
      expect(fake.sent('sendMessage')[0]?.params).toMatchObject({ chat_id: 5, text: 'hello' });
    } finally {
      await fake.close();
    }
  });
});

describe('Telegram file downloads', () => {
  /** A short time-out, so a download that hangs fails quickly. */
  const timeoutS = 0.3;
  let fake: FakeBotApi;
  /** Downloads with the usual time-out, for answers that come. */
  let files: TelegramFiles;
  /** Downloads with a short time-out, for the ones that never do. */
  let impatient: TelegramFiles;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    files = createTelegramFiles({ token: fake.token, apiRoot: fake.url });
    impatient = createTelegramFiles({ token: fake.token, apiRoot: fake.url, timeoutS });
  });
  afterAll(async () => {
    await fake.close();
  });

  const unavailable = { status: 502, code: 'telegram_file_unavailable' };

  /** How long `work` took to fail, and with what. */
  async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
    const started = performance.now();
    const error = await work().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    return { error, ms: performance.now() - started };
  }

  it('fetches the file through getFile and the file endpoint, under Telegram’s name', async () => {
    const bytes = Buffer.from('%PDF-1.4 a small document');
    const stored = fake.addFile(bytes, 'documents/file_3.pdf');
    const file = await files.download(stored.file_id);
    expect(file.name).toBe('file_3.pdf');
    expect(await buffer(file.body)).toEqual(bytes);
  });

  it('ends a getFile that gets no answer with a clear failure within the time-out', async () => {
    const stored = fake.addFile(Buffer.from('never asked for'));
    fake.failNext('getFile', 'hang');
    const { error, ms } = await failure(() => impatient.download(stored.file_id));
    expect(error).toMatchObject({
      ...unavailable,
      message: `Telegram did not give the file: no answer within ${timeoutS} s`,
    });
    expect(ms).toBeGreaterThanOrEqual(timeoutS * 1000 - 50);
    // Far below the usual 30 s, with room for a loaded CI machine.
    expect(ms).toBeLessThan(5_000);
  });

  it('ends a download that stalls half-way with the same failure within the time-out', async () => {
    const stored = fake.addFile(Buffer.alloc(64 * 1024, 1));
    fake.failNext('fileDownload', 'hang');
    const { error, ms } = await failure(async () =>
      buffer((await impatient.download(stored.file_id)).body),
    );
    expect(error).toMatchObject({
      ...unavailable,
      message: `Telegram did not give the file: no answer within ${timeoutS} s`,
    });
    // Far below the usual 30 s, with room for a loaded CI machine.
    expect(ms).toBeLessThan(5_000);
  });

  it('reports a broken connection and a refused download as the same failure', async () => {
    const stored = fake.addFile(Buffer.from('bytes'));
    fake.failNext('fileDownload', 'network');
    await expect(files.download(stored.file_id)).rejects.toMatchObject(unavailable);
    fake.failNext('fileDownload', { status: 500 });
    await expect(files.download(stored.file_id)).rejects.toMatchObject({
      ...unavailable,
      message: 'Telegram did not give the file: download answered 500',
    });
    await expect(files.download('no-such-file')).rejects.toMatchObject(unavailable);
  });
});
