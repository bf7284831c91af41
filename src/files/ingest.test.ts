import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { elfBytes, jpegWithExif, pdfBytes } from '../../test/multipart.js';
import { addCategory, openTicket, signInAs } from '../../test/people.js';
import type { Principal } from '../auth/service.js';
import { largestPhoto } from './file-store.js';

describe('files.ingestTelegramFile', () => {
  let t: TestApp;
  let bot: FakeBotApi;
  let actor: Principal;
  let ticket: string;

  beforeAll(async () => {
    bot = await startFakeBotApi();
    t = await createTestApp({ env: { TELEGRAM_API_ROOT: bot.url } });
    const person = await signInAs(t, 'user');
    actor = { userId: person.id, role: person.role, sessionId: 'bot' };
    ticket = (await openTicket(t, person, await addCategory(t))).id;
  });
  afterAll(async () => {
    await t.close();
    await bot.close();
  });

  it('fetches a photo through getFile and the file endpoint, with previews', async () => {
    const photo = bot.addFile(await jpegWithExif(800, 600), 'photos/file_7.jpg');
    const item = await t.container.files.ingestTelegramFile(actor, {
      file_id: photo.file_id,
      ticket_id: ticket,
    });
    expect(item).toMatchObject({ file_name: 'file_7.jpg', mime_type: 'image/jpeg' });
    expect(item.preview_url).not.toBeNull();
    expect(bot.sent('getFile').map((call) => call.params.file_id)).toContain(photo.file_id);
    const served = await t.app.inject({ method: 'GET', url: item.preview_url ?? '' });
    expect(served.headers['content-type']).toBe('image/webp');
  });

  it('keeps the document’s own name, sanitised, and still checks the bytes', async () => {
    const doc = bot.addFile(pdfBytes(), 'documents/file_8');
    const item = await t.container.files.ingestTelegramFile(actor, {
      file_id: doc.file_id,
      file_name: 'C:\\Users\\me\\report.pdf',
    });
    expect(item).toMatchObject({ file_name: 'report.pdf', mime_type: 'application/pdf' });
    const binary = bot.addFile(elfBytes(), 'documents/file_9.png');
    await expect(
      t.container.files.ingestTelegramFile(actor, { file_id: binary.file_id }),
    ).rejects.toMatchObject({ status: 415 });
  });

  it('reports a file Telegram does not know as 502', async () => {
    await expect(
      t.container.files.ingestTelegramFile(actor, { file_id: 'no-such-file' }),
    ).rejects.toMatchObject({ status: 502, code: 'telegram_file_unavailable' });
  });

  it('reports a download that breaks off as 502, like any other failure of Telegram', async () => {
    const doc = bot.addFile(pdfBytes(), 'documents/file_10.pdf');
    bot.failNext('fileDownload', 'network');
    await expect(
      t.container.files.ingestTelegramFile(actor, { file_id: doc.file_id, ticket_id: ticket }),
    ).rejects.toMatchObject({ status: 502, code: 'telegram_file_unavailable' });
  });

  it('picks the largest size of a photo', () => {
    const sizes = [
      { file_id: 's', file_unique_id: 's', width: 90, height: 60 },
      { file_id: 'l', file_unique_id: 'l', width: 1280, height: 853 },
      { file_id: 'm', file_unique_id: 'm', width: 320, height: 213 },
    ];
    expect(largestPhoto(sizes)?.file_id).toBe('l');
    expect(largestPhoto([])).toBeUndefined();
  });
});

describe('files.ingestTelegramFile without a bot', () => {
  it('refuses when no bot token is configured', async () => {
    const t = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: '' } });
    try {
      const actor = { userId: '00000000-0000-4000-8000-000000000000', role: 'user' as const };
      await expect(
        t.container.files.ingestTelegramFile({ ...actor, sessionId: 's' }, { file_id: 'x' }),
      ).rejects.toThrow(/bot is not configured/);
    } finally {
      await t.close();
    }
  });
});
