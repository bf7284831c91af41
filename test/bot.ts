import type { Message } from 'grammy/types';
import { startBot, type RunningBot } from '../src/bot/runtime.js';
import { createTestApp, type TestApp, type TestAppOptions } from './app.js';
import {
  startFakeBotApi,
  type FakeBotApi,
  type FakeBotApiOptions,
  type RecordedCall,
} from './fake-bot-api.js';

/** Methods that put something in a chat the user sees. */
const visibleMethods = new Set([
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'sendPhoto',
  'sendDocument',
]);

/** A Telegram user talking to the bot in their private chat. */
export interface TelegramPerson {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** What the bot sent into one chat (`sendMessage`, `editMessageText`, …). */
export interface BotReply {
  method: string;
  text: string;
  /** The message it sent or edited (to press its buttons or reply to it). */
  message_id: number | undefined;
  /** Inline keyboard buttons, row by row (`text`, `callback_data`, `url`, `web_app`). */
  buttons: Record<string, unknown>[][];
  params: Record<string, unknown>;
}

/** One person's private chat with the bot, driven through the fake Bot API's `getUpdates`. */
export interface BotChat {
  person: TelegramPerson;
  /** Sends a text message (a command when it starts with `/`); resolves to its message id. */
  send(text: string, extra?: Partial<Message>): number;
  /** Sends a photo (added to the fake server's files) with an optional caption. */
  sendPhoto(bytes: Buffer, caption?: string, extra?: Partial<Message>): number;
  /** Sends a document (added to the fake server's files); `extra` may make it a reply. */
  sendDocument(
    bytes: Buffer,
    fileName: string,
    mimeType: string,
    caption?: string,
    extra?: Partial<Message>,
  ): number;
  /** Replies to the bot's message `messageId` with text. */
  reply(messageId: number, text: string): number;
  /**
   * Edits the person's own message `messageId` to `text` (an `edited_message` update; `extra`
   * adds fields, say the topic it is in, or makes it a photo's caption).
   */
  edit(messageId: number, text: string, extra?: Partial<Message>): void;
  /** Presses an inline button with this `callback_data` under the bot's message `messageId`. */
  press(messageId: number, data: string): void;
  /** Resolves with the bot's next visible output in this chat after the last `next`/send. */
  next(timeoutMs?: number): Promise<BotReply>;
  /** Every visible output in this chat so far. */
  all(): BotReply[];
}

/** A bot on a fresh application, long polling a fake Bot API. */
export interface BotHarness {
  fake: FakeBotApi;
  testApp: TestApp;
  running: RunningBot;
  chat(person: TelegramPerson): BotChat;
  close(): Promise<void>;
}

let incomingMessageId = 1_000_000;

function sentMessageId(call: RecordedCall): number | undefined {
  const result = call.result as { message_id?: unknown } | undefined;
  if (typeof result?.message_id === 'number') return result.message_id;
  const edited = Number(call.params.message_id);
  return Number.isInteger(edited) ? edited : undefined;
}

function replyOf(call: RecordedCall): BotReply {
  const params = call.params;
  const markup = params.reply_markup as
    { inline_keyboard?: Record<string, unknown>[][] } | undefined;
  const text = params.text ?? params.caption ?? '';
  return {
    method: call.method,
    text: typeof text === 'string' ? text : '',
    message_id: sentMessageId(call),
    buttons: markup?.inline_keyboard ?? [],
    params,
  };
}

/**
 * One person's private chat with the bot behind `fake`: their messages and presses are pushed as
 * updates, and what the bot sends into their chat is read from the calls the fake recorded.
 * Works for a bot in this process or in a spawned server polling the same fake.
 */
export function botChat(fake: FakeBotApi, person: TelegramPerson): BotChat {
  const from = { is_bot: false, ...person };
  const chatInfo = { id: person.id, type: 'private' as const, first_name: person.first_name };
  let mark = fake.calls.length;
  const inChat = (c: RecordedCall) =>
    visibleMethods.has(c.method) && Number(c.params.chat_id) === person.id;

  function push(message: Partial<Message>): number {
    const id = incomingMessageId++;
    mark = fake.calls.length;
    fake.pushUpdate({
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: chatInfo,
        from,
        ...message,
      },
    });
    return id;
  }

  return {
    person,
    send(text, extra = {}) {
      const command = /^\/\w+/.exec(text);
      return push({
        text,
        ...(command
          ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }
          : {}),
        ...extra,
      });
    },
    sendPhoto(bytes, caption, extra = {}) {
      const file = fake.addFile(bytes, `photos/file_${incomingMessageId}.jpg`);
      return push({
        photo: [
          {
            file_id: file.file_id,
            file_unique_id: file.file_unique_id,
            width: 800,
            height: 600,
            file_size: file.file_size,
          },
        ],
        ...(caption ? { caption } : {}),
        ...extra,
      });
    },
    sendDocument(bytes, fileName, mimeType, caption, extra = {}) {
      const file = fake.addFile(bytes, `documents/${fileName}`);
      return push({
        document: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_name: fileName,
          mime_type: mimeType,
          file_size: file.file_size,
        },
        ...(caption ? { caption } : {}),
        ...extra,
      });
    },
    reply(messageId, text) {
      const original = fake
        .sent()
        .find((c) => Number(c.params.chat_id) === person.id && sentMessageId(c) === messageId);
      return push({
        text,
        reply_to_message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: chatInfo,
          text: typeof original?.params.text === 'string' ? original.params.text : '',
        } as Message['reply_to_message'],
      });
    },
    edit(messageId, text, extra = {}) {
      mark = fake.calls.length;
      const now = Math.floor(Date.now() / 1000);
      fake.pushUpdate({
        edited_message: {
          message_id: messageId,
          date: now,
          edit_date: now,
          chat: chatInfo,
          from,
          // A photo's or document's edit carries its caption, and no text.
          ...(extra.caption === undefined ? { text } : {}),
          ...extra,
        },
      });
    },
    press(messageId, data) {
      mark = fake.calls.length;
      fake.pushUpdate({
        callback_query: {
          id: String(incomingMessageId++),
          from,
          chat_instance: String(person.id),
          data,
          message: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: chatInfo,
            text: '',
          },
        },
      });
    },
    async next(timeoutMs = 5_000) {
      const from = mark;
      const call = await fake.waitFor(
        '*',
        (c) => inChat(c) && fake.calls.indexOf(c) >= from,
        timeoutMs,
      );
      mark = fake.calls.indexOf(call) + 1;
      return replyOf(call);
    },
    all() {
      return fake.sent().filter(inChat).map(replyOf);
    },
  };
}

/**
 * Starts the application with its queue (workers deliver notifications) and the bot in long
 * polling against a new fake Bot API. `env` adds settings (say `MINI_APP_URL`); `fake` sets up
 * the fake (say a bot with topics in private chats).
 */
export async function startBotHarness(
  options: TestAppOptions & { fake?: FakeBotApiOptions } = {},
): Promise<BotHarness> {
  const fake = await startFakeBotApi(options.fake);
  const testApp = await createTestApp({
    ...options,
    startQueue: true,
    env: { TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: fake.token, ...options.env },
  });
  const running = await startBot(testApp.container);

  const chat = (person: TelegramPerson) => botChat(fake, person);

  const harness: BotHarness = {
    fake,
    testApp,
    running,
    chat,
    async close() {
      // The bot running now: a test may have restarted it (`harness.running = await startBot…`).
      await harness.running.stop();
      await testApp.close();
      await fake.close();
    },
  };
  return harness;
}

/** The bot takes 12 updates per 3 s from one user (`bot.ts`); tests type slower, with a margin. */
const pace = { updates: 5, windowMs: 2_500 };

/** A chat whose sends and presses are async: each waits its turn under the flood limit. */
export type PacedChat = Omit<BotChat, 'send' | 'press' | 'sendPhoto' | 'sendDocument'> & {
  send(text: string): Promise<number>;
  press(messageId: number, data: string): Promise<void>;
  sendPhoto(bytes: Buffer): Promise<number>;
  sendDocument(bytes: Buffer, fileName: string, mimeType: string): Promise<number>;
};

/**
 * `chat` at a person's pace: a long flow (a form filled step by step) stays under the bot's flood
 * limit instead of being told to slow down.
 */
export function paced(chat: BotChat): PacedChat {
  const recent: number[] = [];
  async function turn(): Promise<void> {
    const oldest = recent.length >= pace.updates ? recent.shift() : undefined;
    const wait = oldest === undefined ? 0 : oldest + pace.windowMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    recent.push(Date.now());
  }
  return {
    person: chat.person,
    next: (timeoutMs) => chat.next(timeoutMs),
    all: () => chat.all(),
    reply: (messageId, text) => chat.reply(messageId, text),
    edit: (messageId, text, extra) => chat.edit(messageId, text, extra),
    send: async (text) => (await turn(), chat.send(text)),
    press: async (messageId, data) => (await turn(), chat.press(messageId, data)),
    sendPhoto: async (bytes) => (await turn(), chat.sendPhoto(bytes)),
    sendDocument: async (bytes, name, type) => (await turn(), chat.sendDocument(bytes, name, type)),
  };
}
