import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from './runtime.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';
import { bearer, signIn } from '../../test/app.js';
import {
  paced,
  startBotHarness,
  type BotHarness,
  type PacedChat,
  type TelegramPerson,
} from '../../test/bot.js';
import { elfBytes, jpegWithExif, pdfBytes } from '../../test/multipart.js';
import { signInAs } from '../../test/people.js';
import { attachments, categories, tickets } from '../db/schema.js';
import type { TicketDto } from '../tickets/schemas.js';

let nextId = 7_100_000;
function person(language: 'ru' | 'en'): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name: 'Vera', language_code: language };
}

describe('the /support form', () => {
  let harness: BotHarness;
  let printers: string;
  let network: string;

  beforeAll(async () => {
    harness = await startBotHarness({ env: { MINI_APP_URL: 'https://app.example.com/' } });
    const admin = await signInAs(harness.testApp, 'admin');
    const actor = { userId: admin.id, role: admin.role, sessionId: 'test' };
    const base = { description: '', color: '#336699', is_active: true };
    network = (
      await harness.testApp.container.categories.create(actor, {
        ...base,
        name: 'Network',
        icon: '🌐',
        sort_order: 2,
      })
    ).id;
    printers = (
      await harness.testApp.container.categories.create(actor, {
        ...base,
        name: 'Printers',
        icon: '🖨',
        sort_order: 1,
        translations: { ru: { name: 'Принтеры' } },
      })
    ).id;
  });
  afterAll(() => harness.close());

  async function ticketsOf(who: TelegramPerson): Promise<TicketDto[]> {
    const session = await signIn(harness.testApp, who);
    const response = await harness.testApp.app.inject({
      method: 'GET',
      url: '/api/v1/tickets',
      headers: bearer(session.access_token),
    });
    return response.json<{ items: TicketDto[] }>().items;
  }

  /** /support, then a category and a priority; resolves to the form's message, asking a title. */
  async function toTitle(chat: PacedChat, category = printers): Promise<number> {
    await chat.send('/support');
    const form = await chat.next();
    const formId = form.message_id ?? 0;
    await chat.press(formId, `support:cat:${category}`);
    await chat.next();
    await chat.press(formId, 'support:prio:high');
    await chat.next();
    return formId;
  }

  /** /support, then category, priority, title, description; resolves to the form's message. */
  async function fillTexts(
    chat: PacedChat,
    title: string,
    description: string,
    category = printers,
  ): Promise<number> {
    const formId = await toTitle(chat, category);
    await chat.send(title);
    await chat.next();
    await chat.send(description);
    expect((await chat.next()).method).toBe('editMessageText');
    return formId;
  }

  it('walks a Russian user from /support to a ticket with a photo, in one message, categories named in Russian', async () => {
    const who = person('ru');
    const chat = paced(harness.chat(who));
    await chat.send('/support');
    const form = await chat.next();
    expect(form.method).toBe('sendMessage');
    expect(form.text).toContain('Новое обращение');
    expect(form.text).toContain('Выберите категорию');
    const labels = form.buttons.flat().map((b) => b.text);
    expect(labels.slice(0, 2)).toEqual(['🖨 Принтеры', '🌐 Network']);
    expect(labels).toContain('Отмена');
    const formId = form.message_id ?? 0;

    await chat.press(formId, `support:cat:${printers}`);
    const priority = await chat.next();
    expect(priority).toMatchObject({ method: 'editMessageText', message_id: formId });
    expect(priority.text).toContain('Категория: 🖨 Принтеры');
    expect(priority.text).toContain('Насколько это срочно');
    expect(priority.buttons.flat().map((b) => b.text)).toContain('Критический');

    await chat.press(formId, 'support:prio:critical');
    expect((await chat.next()).text).toContain('тему обращения');
    const titleMessage = await chat.send('Принтер <не> печатает');
    const description = await chat.next();
    expect(description.text).toContain('Тема: <b>Принтер &lt;не&gt; печатает</b>');
    expect(description.text).toContain('Опишите проблему');
    await harness.fake.waitFor('deleteMessage', (c) => c.params.message_id === titleMessage);

    await chat.send('С утра выдаёт пустые листы.');
    const files = await chat.next();
    expect(files.text).toContain('фото или документы');
    expect(files.buttons.flat().map((b) => b.text)).toContain('Пропустить');

    await chat.sendPhoto(await jpegWithExif(800, 600));
    const attached = await chat.next();
    expect(attached.text).toContain('приложен');
    expect(attached.text).toContain('Файлы: 1');
    expect(attached.buttons.flat().map((b) => b.text)).toContain('Готово');

    await chat.press(formId, 'support:files_done');
    const preview = await chat.next();
    expect(preview.text).toContain('Проверьте и отправьте');
    expect(preview.text).toContain('Приоритет: Критический');
    expect(preview.text).toContain('Описание: С утра выдаёт пустые листы.');
    expect(preview.buttons.flat().map((b) => b.callback_data)).toEqual([
      'support:send',
      'support:edit',
      'support:cancel',
    ]);

    await chat.press(formId, 'support:send');
    const card = await chat.next();
    const [ticket] = await ticketsOf(who);
    expect(ticket).toMatchObject({
      title: 'Принтер <не> печатает',
      description: 'С утра выдаёт пустые листы.',
      priority: 'critical',
      category_id: printers,
    });
    expect(card).toMatchObject({ method: 'editMessageText', message_id: formId });
    expect(card.text).toContain(`Обращение <b>#${ticket?.number}</b> создано`);
    expect(card.text).toContain('Статус: Открыто');
    expect(card.buttons[0]?.[0]).toMatchObject({
      text: 'Открыть в приложении',
      web_app: { url: `https://app.example.com/?startapp=ticket_${ticket?.number}` },
    });
    const ticketMessages = createTicketMessages(harness.testApp.container.database.db);
    expect((await ticketMessages.subjectOf(who.id, formId))?.ticketId).toBe(ticket?.id);
    // The statistics count it as opened in Telegram.
    const [opened] = await harness.testApp.container.database.db
      .select({ channel: tickets.channel })
      .from(tickets)
      .where(eq(tickets.id, ticket?.id ?? ''));
    expect(opened?.channel).toBe('telegram');

    const session = await signIn(harness.testApp, who);
    const attachments = await harness.testApp.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${ticket?.id}/attachments`,
      headers: bearer(session.access_token),
    });
    expect(attachments.json<{ items: { mime_type: string }[] }>().items).toMatchObject([
      { mime_type: 'image/jpeg' },
    ]);

    await chat.press(formId, 'support:send');
    await harness.fake.waitFor('answerCallbackQuery', (c) => c.params.text !== undefined);
    expect(await ticketsOf(who)).toHaveLength(1);
  });

  it('cancels with the button or /cancel, creating nothing', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('/support');
    const formId = (await chat.next()).message_id ?? 0;
    await chat.press(formId, 'support:cancel');
    const cancelled = await chat.next();
    expect(cancelled).toMatchObject({ message_id: formId, buttons: [] });
    expect(cancelled.text).toContain('Ticket cancelled');

    await fillTexts(chat, 'Wi-Fi drops', 'Every hour or so.');
    await chat.send('/cancel');
    expect((await chat.next()).text).toContain('Ticket cancelled');
    await chat.send('Hello?');
    expect((await chat.next()).text).toContain('Open a support ticket with this text?');
    await chat.send('/cancel');
    expect((await chat.next()).text).toBe('There is nothing to cancel right now.');
    expect(await ticketsOf(who)).toHaveLength(0);
  });

  it('refuses an empty or too long title and a too long description, and keeps waiting', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('/support');
    const formId = (await chat.next()).message_id ?? 0;
    await chat.press(formId, `support:cat:${network}`);
    await chat.next();
    await chat.send('No idea');
    expect((await chat.next()).text).toContain('Please choose with the buttons above.');
    await chat.press(formId, 'support:prio:low');
    await chat.next();

    await chat.send('   ');
    expect((await chat.next()).text).toContain('The title cannot be empty.');
    await chat.send('x'.repeat(201));
    const tooLong = await chat.next();
    expect(tooLong.text).toContain('The title is too long — 200 characters at most.');
    expect(tooLong.text).toContain('Type a short title');
    await chat.send('VPN');
    expect((await chat.next()).text).toContain('Describe the problem');
    await chat.send('y'.repeat(2001));
    const longDescription = await chat.next();
    expect(longDescription.text).toContain('2000 characters at most');
    expect(longDescription.text).toContain('Describe the problem');
    await chat.send('y'.repeat(2000));
    const files = await chat.next();
    expect(files.text).toContain('You can attach photos or documents (up to 10)');
    await chat.send('done');
    expect((await chat.next()).text).toContain('Send a photo or a document, or press “Done”.');
    await chat.press(formId, 'support:files_done');
    const preview = await chat.next();
    expect(preview.text).toContain('Check and send:');
    expect(preview.text).toContain('Files: 0');
    await chat.press(formId, 'support:send');
    await chat.next();
    expect(await ticketsOf(who)).toMatchObject([{ title: 'VPN', description: 'y'.repeat(2000) }]);
  });

  it('notes a refused file in the form and goes on', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const formId = await fillTexts(chat, 'Strange file', 'See the attachment.');
    await chat.sendDocument(elfBytes(), 'tool.png', 'image/png');
    const refused = await chat.next();
    expect(refused.text).toContain('“tool.png” was not accepted: this file type is not allowed.');
    expect(refused.buttons.flat().map((b) => b.text)).toContain('Skip');
    await chat.press(formId, 'support:files_done');
    expect((await chat.next()).text).toContain('Files: 0');
  });

  it('refuses files over Telegram’s download limit and beyond the API’s count', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const formId = await fillTexts(chat, 'Many files', 'Here they are.');
    await chat.sendDocument(Buffer.alloc(20 * 1024 * 1024 + 1), 'huge.pdf', 'application/pdf');
    expect((await chat.next()).text).toContain('“huge.pdf” was not accepted: it is too large.');
    for (let index = 1; index <= 10; index += 1) {
      await chat.sendDocument(pdfBytes(), `page-${index}.pdf`, 'application/pdf');
      expect((await chat.next()).text).toContain(`“page-${index}.pdf” attached.`);
    }
    await chat.sendDocument(pdfBytes(), 'page-11.pdf', 'application/pdf');
    const full = await chat.next();
    expect(full.text).toContain('You cannot attach more than 10 files.');
    expect(full.text).toContain('Files: 10');
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await chat.press(formId, 'support:send');
    const card = await chat.next();
    const [ticket] = await ticketsOf(who);
    expect(card.text).toContain(`#${ticket?.number}`);
    const files = await harness.testApp.container.files.listForTicket(
      { userId: ticket?.user_id ?? '', role: 'user', sessionId: 'test' },
      ticket?.id ?? '',
    );
    expect(files).toHaveLength(10);
  });

  it('opens from the /start menu and asks again for files that expired meanwhile', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.press(1, 'support:start');
    const form = await chat.next();
    expect(form.method).toBe('sendMessage');
    expect(form.text).toContain('Choose a category:');
    const formId = form.message_id ?? 0;
    await chat.press(formId, `support:cat:${printers}`);
    await chat.next();
    await chat.press(formId, 'support:prio:normal');
    await chat.next();
    await chat.send('Scan');
    await chat.next();
    await chat.send('The scan is attached.');
    await chat.next();
    await chat.sendDocument(pdfBytes(), 'scan.pdf', 'application/pdf');
    await chat.next();
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await harness.testApp.container.database.db
      .delete(attachments)
      .where(eq(attachments.fileName, 'scan.pdf'));
    await chat.press(formId, 'support:send');
    const again = await chat.next();
    expect(again.text).toContain('Some files have expired — please attach them again.');
    expect(again.text).toContain('You can attach photos or documents');
    expect(await ticketsOf(who)).toHaveLength(0);
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await chat.press(formId, 'support:send');
    await chat.next();
    expect(await ticketsOf(who)).toMatchObject([{ title: 'Scan' }]);
  });

  it('says so when no category takes tickets', async () => {
    const db = harness.testApp.container.database.db;
    const active = await db
      .update(categories)
      .set({ isActive: false })
      .where(eq(categories.isActive, true))
      .returning({ id: categories.id });
    harness.testApp.container.categories.forgetLists();
    try {
      const chat = paced(harness.chat(person('ru')));
      await chat.send('/support');
      const answer = await chat.next();
      expect(answer.text).toBe(
        'Пока нельзя создать обращение: поддержка ещё не настроила категории.',
      );
      expect(answer.buttons).toEqual([]);
      await chat.send('Тогда просто вопрос');
      expect((await chat.next()).text).toContain('Создать обращение в поддержку');
    } finally {
      await db
        .update(categories)
        .set({ isActive: true })
        .where(
          inArray(
            categories.id,
            active.map((row) => row.id),
          ),
        );
      harness.testApp.container.categories.forgetLists();
    }
  });

  it('changes fields from the preview with Edit', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const formId = await fillTexts(chat, 'Old title', 'Some text.');
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await chat.press(formId, 'support:edit');
    const menu = await chat.next();
    expect(menu.text).toContain('What would you like to change?');
    expect(menu.buttons.flat().map((b) => b.callback_data)).toEqual([
      'support:edit:category',
      'support:edit:priority',
      'support:edit:title',
      'support:edit:description',
      'support:edit:files',
      'support:back',
      'support:cancel',
    ]);
    await chat.press(formId, 'support:edit:title');
    const title = await chat.next();
    expect(title.text).toContain('Type a short title');
    expect(title.buttons.flat().map((b) => b.text)).toContain('← Back to preview');
    await chat.send('New title');
    const preview = await chat.next();
    expect(preview.text).toContain('Title: <b>New title</b>');
    expect(preview.text).toContain('Check and send:');
    await chat.press(formId, 'support:edit');
    await chat.next();
    await chat.press(formId, 'support:edit:category');
    await chat.next();
    await chat.press(formId, `support:cat:${network}`);
    expect((await chat.next()).text).toContain('Category: 🌐 Network');
    await chat.press(formId, 'support:send');
    await chat.next();
    expect(await ticketsOf(who)).toMatchObject([{ title: 'New title', category_id: network }]);
  });

  it('sends the user back to the categories when theirs closed meanwhile', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const admin = await signInAs(harness.testApp, 'admin');
    const actor = { userId: admin.id, role: admin.role, sessionId: 'test' };
    const closing = await harness.testApp.container.categories.create(actor, {
      name: 'Closing soon',
      description: '',
      icon: '',
      color: '#336699',
      sort_order: 5,
      is_active: true,
    });
    const formId = await fillTexts(chat, 'Title', 'Text', closing.id);
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await harness.testApp.container.database.db
      .update(categories)
      .set({ isActive: false })
      .where(eq(categories.id, closing.id));
    harness.testApp.container.categories.forgetLists();
    await chat.press(formId, 'support:send');
    const back = await chat.next();
    expect(back.text).toContain('This category no longer takes tickets — please choose another.');
    expect(back.text).toContain('Choose a category:');
    expect(back.buttons.flat().map((b) => b.text)).not.toContain('Closing soon');
    const before = harness.fake.calls.length;
    await chat.press(formId, `support:cat:${closing.id}`);
    // The form says so already: Telegram refuses the identical edit ("message is not
    // modified") and the form stays as it is.
    await expect
      .poll(() =>
        harness.fake.calls
          .slice(before)
          .some((c) => c.method === 'editMessageText' && Number(c.params.chat_id) === who.id),
      )
      .toBe(true);
    expect(chat.all().at(-1)?.text).toContain('no longer takes tickets');
    await chat.press(formId, `support:cat:${printers}`);
    expect((await chat.next()).text).toContain('Check and send:');
    await chat.press(formId, 'support:send');
    await chat.next();
    expect(await ticketsOf(who)).toMatchObject([{ title: 'Title', category_id: printers }]);
  });

  it('leaves the form when another command runs, and ignores its old buttons', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const formId = await fillTexts(chat, 'Half done', 'Text.');
    await chat.send('/nonsense');
    const left = await chat.next();
    expect(left).toMatchObject({ message_id: formId, buttons: [] });
    expect(left.text).toContain('The ticket form was closed');
    expect((await chat.next()).text).toContain('I don’t know that command');
    await chat.press(formId, 'support:files_done');
    const answer = await harness.fake.waitFor(
      'answerCallbackQuery',
      (c) => c.params.text === 'This form is no longer active.',
    );
    expect(answer).toBeDefined();
    await chat.send('Just a thought');
    expect((await chat.next()).text).toContain('Open a support ticket with this text?');
  });

  it('moves a form under way to the bottom on /support, keeping what was typed', async () => {
    const chat = paced(harness.chat(person('en')));
    const first = await fillTexts(chat, 'Keep me', 'Kept.');
    await chat.send('/support');
    const moved = await chat.next();
    expect(moved.method).toBe('sendMessage');
    expect(moved.message_id).not.toBe(first);
    expect(moved.text).toContain('Title: <b>Keep me</b>');
    await harness.fake.waitFor('deleteMessage', (c) => c.params.message_id === first);
  });

  it('takes a photo’s caption as the title or description the form waits for', async () => {
    const who = person('en');
    const chat = harness.chat(who);
    const pacedChat = paced(chat);
    const formId = await toTitle(pacedChat);
    chat.sendPhoto(await jpegWithExif(400, 300), 'Paper jam');
    const titled = await pacedChat.next();
    expect(titled.text).toContain('Title: <b>Paper jam</b>');
    expect(titled.text).toContain('Files: 1');
    expect(titled.text).toContain('Describe the problem');
    chat.sendPhoto(await jpegWithExif(400, 300), 'Tray 2 <again> & again');
    const described = await pacedChat.next();
    expect(described.text).toContain('Description: Tray 2 &lt;again&gt; &amp; again');
    expect(described.text).toContain('Files: 2');
    await pacedChat.press(formId, 'support:files_done');
    await pacedChat.next();
    await pacedChat.press(formId, 'support:send');
    await pacedChat.next();
    expect(await ticketsOf(who)).toMatchObject([
      { title: 'Paper jam', description: 'Tray 2 <again> & again' },
    ]);
  });

  it('refuses a title that is only markup, and a voice message, with a note', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await toTitle(chat);
    await chat.send('<b></b>');
    const refused = await chat.next();
    expect(refused.text).toContain('The title cannot be empty.');
    expect(refused.text).toContain('Type a short title');
    const voice = 61_000_000 + who.id;
    harness.fake.pushUpdate({
      message: {
        message_id: voice,
        date: Math.floor(Date.now() / 1000),
        chat: { id: who.id, type: 'private', first_name: who.first_name },
        from: { is_bot: false, ...who },
        voice: { file_id: 'voice-1', file_unique_id: 'uvoice-1', duration: 4 },
      },
    });
    const note = await chat.next();
    expect(note.text).toContain('The form cannot take this kind of message');
    expect(note.text).toContain('Type a short title');
    await harness.fake.waitFor('deleteMessage', (c) => c.params.message_id === voice);
  });

  it('keeps the form and says so when the ticket cannot be created for an unexpected reason', async () => {
    const who = person('ru');
    const chat = paced(harness.chat(who));
    const database = harness.testApp.container.database;
    await database.executeSql(`
      create or replace function review_refuse_ticket() returns trigger language plpgsql as $$
      begin raise exception 'the disk is full'; end $$`);
    await database.executeSql(`
      create trigger review_refuse_ticket before insert on tickets for each row
      when (new.title = 'Диск полон') execute function review_refuse_ticket()`);
    try {
      const formId = await fillTexts(chat, 'Диск полон', 'Совсем.');
      await chat.press(formId, 'support:files_done');
      await chat.next();
      await chat.press(formId, 'support:send');
      const failed = await chat.next();
      expect(failed.message_id).toBe(formId);
      expect(failed.text).toContain('Не удалось создать обращение');
      expect(failed.text).toContain('Тема: <b>Диск полон</b>');
      expect(failed.buttons.flat().map((b) => b.callback_data)).toContain('support:send');
      expect(await ticketsOf(who)).toHaveLength(0);
    } finally {
      await database.executeSql('drop trigger review_refuse_ticket on tickets');
      await database.executeSql('drop function review_refuse_ticket()');
    }
    await chat.press(chat.all().at(-1)?.message_id ?? 0, 'support:send');
    expect((await chat.next()).text).toContain('создано');
    expect(await ticketsOf(who)).toMatchObject([{ title: 'Диск полон' }]);
  });

  it('answers /cancel even when the form’s message is gone', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await fillTexts(chat, 'Gone', 'Deleted the form.');
    harness.fake.failNext('editMessageText', {
      status: 400,
      description: 'Bad Request: message to edit not found',
    });
    await chat.send('/cancel');
    const answer = await chat.next();
    expect(answer.text).toContain('Ticket cancelled');
    expect(answer.buttons).toEqual([]);
  });

  it('keeps both photos of an album and creates one ticket on a double Send, when updates run concurrently', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const formId = await fillTexts(chat, 'Album', 'Two photos at once.');
    const bot = harness.running.bot;
    let updateId = 50_000_000;
    const base = () => ({
      date: Math.floor(Date.now() / 1000),
      chat: { id: who.id, type: 'private' as const, first_name: who.first_name },
      from: { is_bot: false, ...who },
    });
    const photoUpdate = async (index: number) => {
      const file = harness.fake.addFile(
        await jpegWithExif(300 + index, 200),
        `photos/a${index}.jpg`,
      );
      return {
        update_id: ++updateId,
        message: {
          ...base(),
          message_id: updateId,
          media_group_id: 'album-1',
          photo: [{ ...file, width: 300 + index, height: 200 }],
        },
      };
    };
    const album = await Promise.all([photoUpdate(1), photoUpdate(2)]);
    await Promise.all(album.map((update) => bot.handleUpdate(update)));
    await chat.press(formId, 'support:files_done');
    const preview = await chat.next();
    expect(preview.text).toContain('Files: 2');

    const send = () => ({
      update_id: ++updateId,
      callback_query: {
        id: String(updateId),
        from: base().from,
        chat_instance: String(who.id),
        data: 'support:send',
        message: { ...base(), message_id: formId, text: '' },
      },
    });
    await Promise.all([bot.handleUpdate(send()), bot.handleUpdate(send())]);
    const tickets = await ticketsOf(who);
    expect(tickets).toHaveLength(1);
  });

  it('continues a form after the bot restarts on the same database', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('/support');
    const formId = (await chat.next()).message_id ?? 0;
    await chat.press(formId, `support:cat:${network}`);
    await chat.next();
    await chat.press(formId, 'support:prio:normal');
    await chat.next();

    await harness.running.stop();
    harness.running = await startBot(harness.testApp.container);

    // The old form message is gone (deleted by the user): the form comes back as a new one.
    harness.fake.failNext('editMessageText', {
      status: 400,
      description: 'Bad Request: message to edit not found',
    });
    await chat.send('After restart');
    const moved = await chat.next();
    expect(moved.method).toBe('sendMessage');
    expect(moved.text).toContain('Title: <b>After restart</b>');
    const newFormId = moved.message_id ?? 0;
    await chat.send('Still here.');
    await chat.next();
    await chat.press(newFormId, 'support:files_done');
    await chat.next();
    harness.fake.failNext('editMessageText', {
      status: 400,
      description: 'Bad Request: message is not modified',
    });
    await chat.press(newFormId, 'support:back');
    await chat.press(newFormId, 'support:send');
    expect((await chat.next()).text).toContain('created');
    expect(await ticketsOf(who)).toMatchObject([
      { title: 'After restart', priority: 'normal', category_id: network },
    ]);
  });
});
