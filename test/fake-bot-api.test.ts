import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fakeTopicIcons,
  maxUploadBytes,
  startFakeBotApi,
  type FakeBotApi,
  type UploadedFile,
} from './fake-bot-api.js';
import { testBotToken } from './init-data.js';

describe('the fake Telegram Bot API', () => {
  let fake: FakeBotApi;
  let api: Api;

  beforeEach(async () => {
    fake = await startFakeBotApi();
    api = new Api(fake.token, { apiRoot: fake.url });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers getMe and records calls for the test token', async () => {
    expect(fake.token).toBe(testBotToken);
    const me = await api.getMe();
    expect(me.is_bot).toBe(true);
    expect(fake.sent('getMe')).toHaveLength(1);
  });

  it('returns messages with increasing ids and records JSON parameters', async () => {
    const first = await api.sendMessage(42, '<b>hi</b>', { parse_mode: 'HTML' });
    const second = await api.sendMessage(42, 'again');
    expect(second.message_id).toBeGreaterThan(first.message_id);
    expect(first.chat.id).toBe(42);
    expect(first.text).toBe('<b>hi</b>');
    const call = await fake.waitFor('sendMessage', (c) => c.params.text === 'again');
    expect(call.params.chat_id).toBe(42);
    expect(fake.sent()).toHaveLength(2);
  });

  it('refuses another token with 401 and unknown methods with 404', async () => {
    const stranger = new Api('1:another-token-that-is-long-enough', { apiRoot: fake.url });
    await expect(stranger.getMe()).rejects.toMatchObject({ error_code: 401 });
    const unknown = await fetch(`${fake.url}/bot${fake.token}/sendDice`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    const elsewhere = await fetch(`${fake.url}/nothing`);
    expect(elsewhere.status).toBe(404);
    expect(fake.sent()).toHaveLength(0);
    expect(fake.calls.map((c) => c.method)).toEqual(['getMe', 'sendDice']);
  });

  it('answers inline queries it delivered, once, refusing bad results as Telegram does', async () => {
    const article = (id: string, text = 'Hello') => ({
      type: 'article' as const,
      id,
      title: 'Greeting',
      input_message_content: { message_text: text },
    });
    const deliver = (id: string) =>
      fake.pushUpdate({
        inline_query: {
          id,
          from: { id: 7, is_bot: false, first_name: 'A' },
          query: '',
          offset: '',
        },
      });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'answered',
        (error: unknown) => (error as GrammyError).description,
      );
    await expect(refusal(api.answerInlineQuery('never-sent', []))).resolves.toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
    deliver('q1');
    const bad: [unknown[], string][] = [
      [[article('a'), article('a')], 'Bad Request: RESULT_ID_DUPLICATE'],
      [[article('x'.repeat(65))], 'Bad Request: RESULT_ID_INVALID'],
      [[{ ...article('a'), title: ' ' }], 'Bad Request: ARTICLE_TITLE_EMPTY'],
      [[article('a', '')], 'Bad Request: MESSAGE_EMPTY'],
      [[article('a', 'x'.repeat(4097))], 'Bad Request: message is too long'],
      [[{ ...article('a'), type: 'sticker-ish' }], 'Bad Request: RESULT_TYPE_INVALID'],
      [Array.from({ length: 51 }, (_, i) => article(String(i))), 'Bad Request: RESULTS_TOO_MUCH'],
    ];
    for (const [results, description] of bad) {
      await expect(refusal(api.answerInlineQuery('q1', results as never))).resolves.toBe(
        description,
      );
    }
    await expect(api.answerInlineQuery('q1', [article('a')])).resolves.toBe(true);
    // Answered once: a second answer is too late.
    await expect(refusal(api.answerInlineQuery('q1', []))).resolves.toContain(
      'query ID is invalid',
    );
    expect(fake.sent('answerInlineQuery')).toHaveLength(1);
  });

  it('fails the next calls as asked: 429 with retry_after, 403, 400, a dropped connection', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 3 });
    fake.failNext('sendMessage', { status: 403 });
    fake.failNext('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
    fake.failNext('sendMessage', 'network');
    const tooMany = await api.sendMessage(1, 'a').catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(GrammyError);
    expect((tooMany as GrammyError).parameters.retry_after).toBe(3);
    await expect(api.sendMessage(1, 'b')).rejects.toMatchObject({ error_code: 403 });
    await expect(api.sendMessage(1, 'c')).rejects.toMatchObject({
      description: 'Bad Request: chat not found',
    });
    await expect(api.sendMessage(1, 'd')).rejects.toBeInstanceOf(HttpError);
    await api.sendMessage(1, 'e');
    expect(fake.calls).toHaveLength(5);
    expect(fake.sent('sendMessage').map((c) => c.params.text)).toEqual(['e']);
  });

  it('answers 500 and 502 when asked, like a Telegram outage', async () => {
    fake.failNext('getMe', { status: 500 });
    fake.failNext('getMe', { status: 502 });
    await expect(api.getMe()).rejects.toMatchObject({
      error_code: 500,
      description: 'Internal Server Error',
    });
    await expect(api.getMe()).rejects.toMatchObject({ error_code: 502 });
    await expect(api.getMe()).resolves.toMatchObject({ is_bot: true });
  });

  it('refuses texts Telegram refuses: bad HTML, over 4096 characters, broken UTF-16, empty', async () => {
    const html = { parse_mode: 'HTML' } as const;
    const refusals = [
      ['<b>a</b> < b', html, "can't parse entities"],
      ['Tom & Jerry', html, "can't parse entities"],
      ['<script>x</script>', html, "can't parse entities"],
      ['x'.repeat(4097), {}, 'message is too long'],
      ['\uD83D', {}, 'UTF-8'],
      ['', {}, 'message text is empty'],
    ] as const;
    for (const [text, other, description] of refusals) {
      await expect(api.sendMessage(1, text, other), text.slice(0, 20)).rejects.toMatchObject({
        error_code: 400,
        description: expect.stringContaining(description) as unknown,
      });
    }
    // Entities count as one character each; tags not at all; plain mode takes < and &.
    const long = `<b>t</b>${'&amp;'.repeat(4095)}`;
    await expect(api.sendMessage(1, long, html)).resolves.toMatchObject({ text: long });
    await expect(
      api.sendMessage(1, '<a href="https://x.y">a &lt; &#33;</a>', html),
    ).resolves.toBeDefined();
    await expect(api.sendMessage(1, 'Tom & <Jerry>')).resolves.toBeDefined();
  });

  it('edits a message it sent, and refuses an edit Telegram refuses: unchanged, deleted, elsewhere, blocked', async () => {
    const markup = { inline_keyboard: [[{ text: 'Open', url: 'https://x.y/' }]] };
    const sent = await api.sendMessage(8, '<b>1</b> new', {
      parse_mode: 'HTML',
      reply_markup: markup,
    });
    const edited = await api.editMessageText(8, sent.message_id, '<b>2</b> new', {
      parse_mode: 'HTML',
      reply_markup: markup,
    });
    expect(edited).toMatchObject({ message_id: sent.message_id, text: '<b>2</b> new' });
    // The same text and buttons again: nothing to change.
    await expect(
      api.editMessageText(8, sent.message_id, '<b>2</b> new', {
        parse_mode: 'HTML',
        reply_markup: markup,
      }),
    ).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining('message is not modified') as unknown,
    });
    // Another chat's message with that id does not exist there.
    await expect(api.editMessageText(9, sent.message_id, 'x')).rejects.toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
    // Deleted by the user in their client, or by the bot.
    fake.deleteByUser(8, sent.message_id);
    await expect(api.editMessageText(8, sent.message_id, '3 new')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message to edit not found',
    });
    const other = await api.sendMessage(8, 'other');
    await api.deleteMessage(8, other.message_id);
    await expect(api.editMessageText(8, other.message_id, 'x')).rejects.toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
    // A user who blocked the bot cannot be edited to either.
    const last = await api.sendMessage(8, 'last');
    fake.blockChat(8);
    await expect(api.editMessageText(8, last.message_id, 'x')).rejects.toMatchObject({
      error_code: 403,
    });
  });

  it('serves long polling with offsets, waking a waiting poll when an update arrives', async () => {
    fake.pushUpdate({ message: { text: 'one' } });
    const first = await api.getUpdates({ offset: 0, timeout: 0 });
    expect(first).toHaveLength(1);
    const next = (first[0]?.update_id ?? 0) + 1;
    const waiting = api.getUpdates({ offset: next, timeout: 5 });
    setTimeout(() => fake.pushUpdate({ message: { text: 'two' } }), 50);
    const second = await waiting;
    expect(second).toHaveLength(1);
    expect(second[0]?.update_id).toBe(next);
    const idle = await api.getUpdates({ offset: next + 1, timeout: 0 });
    expect(idle).toEqual([]);
  });

  it('describes and serves added files, and reads multipart uploads', async () => {
    const file = fake.addFile(Buffer.from('hello file'), 'documents/hello.txt');
    const described = await api.getFile(file.file_id);
    expect(described).toMatchObject({ file_path: 'documents/hello.txt', file_size: 10 });
    const bytes = await fetch(`${fake.url}/file/bot${fake.token}/documents/hello.txt`);
    expect(await bytes.text()).toBe('hello file');
    expect((await fetch(`${fake.url}/file/bot${fake.token}/missing`)).status).toBe(404);
    await expect(api.getFile('nope')).rejects.toMatchObject({ error_code: 400 });

    await api.sendDocument(7, new InputFile(Buffer.from('doc'), 'a.txt'), {
      caption: 'see',
      reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y' }]] },
    });
    const upload = await fake.waitFor('sendDocument');
    expect(upload.params).toMatchObject({
      chat_id: '7',
      caption: 'see',
      document: { file_name: 'a.txt' },
      reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y' }]] },
    });
    await api.sendPhoto(7, new InputFile(Buffer.from('img'), 'p.png'));
    await api.answerCallbackQuery('q');
    expect(fake.sent('answerCallbackQuery')).toHaveLength(1);
  });

  it('keeps an uploaded document’s bytes, and refuses a document as Telegram does', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x80, 0x0a]);
    await api.sendDocument(7, new InputFile(pdf, 'отчёт.pdf'), {
      caption: '<b>Отчёт</b>',
      parse_mode: 'HTML',
    });
    const upload = await fake.waitFor('sendDocument');
    const document = upload.params.document as UploadedFile;
    expect(document.file_name).toBe('отчёт.pdf');
    expect(document.bytes.equals(pdf)).toBe(true);

    const refused = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (error: unknown) =>
          error instanceof GrammyError ? [error.error_code, error.description] : error,
      );
    expect(await refused(api.sendDocument(7, new InputFile(Buffer.alloc(0), 'empty.pdf')))).toEqual(
      [400, 'Bad Request: file must be non-empty'],
    );
    expect(
      await refused(
        api.sendDocument(7, new InputFile(pdf, 'a.pdf'), { caption: 'x'.repeat(1025) }),
      ),
    ).toEqual([400, 'Bad Request: message caption is too long']);
    expect(
      await refused(
        api.sendDocument(7, new InputFile(pdf, 'a.pdf'), {
          caption: '<blink>open</blink>',
          parse_mode: 'HTML',
        }),
      ),
    ).toEqual([400, "Bad Request: can't parse entities: unsupported start tag"]);
    const huge = Buffer.alloc(maxUploadBytes + 1024 * 1024);
    expect(await refused(api.sendDocument(7, new InputFile(huge, 'huge.pdf')))).toEqual([
      413,
      'Request Entity Too Large',
    ]);
    fake.blockChat(8);
    expect(await refused(api.sendDocument(8, new InputFile(pdf, 'a.pdf')))).toEqual([
      403,
      'Forbidden: bot was blocked by the user',
    ]);
  });

  it('reads urlencoded bodies and times out a wait that never comes', async () => {
    await fetch(`${fake.url}/bot${fake.token}/deleteMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'chat_id=5&message_id=9',
    });
    expect(fake.sent('deleteMessage')[0]?.params).toEqual({ chat_id: '5', message_id: '9' });
    await expect(fake.waitFor('sendMessage', undefined, 50)).rejects.toThrow(/no sendMessage/);
  });

  it('lists a profile photo the bot can see, served by the file download, and Mini App userpics', async () => {
    expect(await api.getUserProfilePhotos(7)).toEqual({ total_count: 0, photos: [] });
    fake.setProfilePhoto(7, [{ bytes: Buffer.from('photo'), width: 160, height: 160 }]);
    const photos = await api.getUserProfilePhotos(7);
    expect(photos.total_count).toBe(1);
    const [size] = photos.photos[0] ?? [];
    expect(size).toMatchObject({ width: 160, height: 160 });
    const file = await api.getFile(size?.file_id ?? '');
    const download = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('photo');
    const userpic = await fetch(fake.addUserpic(Buffer.from('pic')));
    expect(await userpic.text()).toBe('pic');
  });
});

describe('the fake Bot API’s forum topics', () => {
  const group = -100_777;
  let fake: FakeBotApi;
  let api: Api;
  let clock: number;

  beforeEach(async () => {
    clock = 1_000_000;
    fake = await startFakeBotApi({ privateTopics: true, now: () => clock });
    api = new Api(fake.token, { apiRoot: fake.url });
    fake.addForumGroup(group, { title: 'Support' });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('says in getMe whether the bot has topics in private chats', async () => {
    expect((await api.getMe()).has_topics_enabled).toBe(true);
    const plain = await startFakeBotApi();
    try {
      const me = await new Api(plain.token, { apiRoot: plain.url }).getMe();
      expect(me.has_topics_enabled).toBe(false);
      await expect(
        new Api(plain.token, { apiRoot: plain.url }).createForumTopic(7, 'x'),
      ).rejects.toMatchObject({ description: 'Bad Request: the chat is not a forum' });
    } finally {
      await plain.close();
    }
  });

  it('creates a topic, sends into it, renames, closes and reopens it', async () => {
    const topic = await api.createForumTopic(group, '#1 · Printer', {
      icon_custom_emoji_id: fakeTopicIcons[0]?.custom_emoji_id,
    });
    const sent = await api.sendMessage(group, 'card', {
      message_thread_id: topic.message_thread_id,
    });
    expect(sent).toMatchObject({
      message_thread_id: topic.message_thread_id,
      is_topic_message: true,
      chat: { id: group, type: 'supergroup', is_forum: true, title: 'Support' },
    });
    await api.editForumTopic(group, topic.message_thread_id, { name: '#1 · Printer fixed' });
    await expect(
      api.editForumTopic(group, topic.message_thread_id, { name: '#1 · Printer fixed' }),
    ).rejects.toMatchObject({ description: 'Bad Request: TOPIC_NOT_MODIFIED' });
    await api.closeForumTopic(group, topic.message_thread_id);
    await expect(
      api.sendMessage(group, 'late', { message_thread_id: topic.message_thread_id }),
    ).rejects.toMatchObject({ description: 'Bad Request: TOPIC_CLOSED' });
    await expect(api.closeForumTopic(group, topic.message_thread_id)).rejects.toMatchObject({
      description: 'Bad Request: TOPIC_NOT_MODIFIED',
    });
    await api.reopenForumTopic(group, topic.message_thread_id);
    expect(fake.topics(group)).toEqual([
      expect.objectContaining({ name: '#1 · Printer fixed', closed: false, deleted: false }),
    ]);
    const icons = await api.getForumTopicIconStickers();
    expect(icons.map((icon) => icon.custom_emoji_id)).toEqual(
      fakeTopicIcons.map((icon) => icon.custom_emoji_id),
    );
  });

  it('refuses topics without the "manage topics" right, and in a deleted topic', async () => {
    fake.setCanManageTopics(group, false);
    await expect(api.createForumTopic(group, 'x')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: not enough rights to create a topic',
    });
    fake.setCanManageTopics(group, true);
    const topic = await api.createForumTopic(group, 'x');
    fake.deleteTopicByUser(group, topic.message_thread_id);
    await expect(
      api.sendMessage(group, 'hello', { message_thread_id: topic.message_thread_id }),
    ).rejects.toMatchObject({ description: 'Bad Request: message thread not found' });
    await expect(
      api.editForumTopic(group, topic.message_thread_id, { name: 'y' }),
    ).rejects.toMatchObject({ description: 'Bad Request: TOPIC_ID_INVALID' });
  });

  it('keeps topics in a private chat when the bot has them', async () => {
    const topic = await api.createForumTopic(42, '#7 · Refund');
    const sent = await api.sendMessage(42, 'answer', {
      message_thread_id: topic.message_thread_id,
    });
    expect(sent).toMatchObject({ chat: { id: 42, type: 'private' }, is_topic_message: true });
    await expect(api.sendMessage(42, 'lost', { message_thread_id: 999_999 })).rejects.toMatchObject(
      { description: 'Bad Request: message thread not found' },
    );
  });

  it('answers a group’s 21st message in a minute with 429 and the seconds left', async () => {
    for (let i = 0; i < 20; i += 1) {
      await api.sendMessage(group, `message ${i}`);
      clock += 1_000;
    }
    const refused = await api.sendMessage(group, 'one too many').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GrammyError);
    expect((refused as GrammyError).error_code).toBe(429);
    expect((refused as GrammyError).parameters.retry_after).toBe(40);
    await api.sendMessage(42, 'private chats are not held back');
    clock += 40_000;
    await api.sendMessage(group, 'after the minute');
    expect(fake.sent('sendMessage').filter((c) => c.params.chat_id === group)).toHaveLength(21);
  });
});
