import { eq } from 'drizzle-orm';
import { startBot, type RunningBot } from '../src/bot/runtime.js';
import { users } from '../src/db/schema.js';
import type { Clock } from '../src/platform/clock.js';
import { createTestApp, type TestApp, type TestAppOptions } from './app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from './fake-bot-api.js';

/** A clock that also answers in milliseconds, for the fake Bot API's group limit. */
export type FastClock = Clock & { nowMs: () => number };

/** The staff forum group of these tests. */
export const staffGroup = -100_123_456;

/**
 * A clock that runs `speed` times faster than real time from `start`: the app and the fake Bot
 * API share it, so a minute of the group's limit passes in a few real seconds and every time a
 * test compares is on this clock, never the wall clock's date.
 */
export function fastClock(start: string, speed: number): FastClock {
  const origin = new Date(start).getTime();
  const startedAt = performance.now();
  const nowMs = () => origin + Math.round((performance.now() - startedAt) * speed);
  return { now: () => new Date(nowMs()), nowMs };
}

/** An application with its worker and bot, a fake Bot API with the staff group on its clock. */
export interface StaffGroupWorld {
  fake: FakeBotApi;
  t: TestApp;
  clock: FastClock;
  bot: RunningBot | undefined;
  close(): Promise<void>;
}

/** Starts the world: the staff group set by env, posting paced on the shared fast clock. */
export async function startStaffGroupWorld(
  options: TestAppOptions & {
    speed?: number;
    groupLimit?: number;
    withBot?: boolean;
    fake?: FakeBotApi;
    clock?: FastClock;
  } = {},
): Promise<StaffGroupWorld> {
  const clock = options.clock ?? fastClock('2026-03-02T09:00:00Z', options.speed ?? 20);
  const fake =
    options.fake ??
    (await startFakeBotApi({ now: clock.nowMs, groupMessagesPerMinute: options.groupLimit ?? 20 }));
  if (!options.fake) fake.addForumGroup(staffGroup);
  const t = await createTestApp({
    ...options,
    clock,
    startQueue: true,
    env: {
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_STAFF_CHAT_ID: String(staffGroup),
      STAFF_GROUP_POLL_MS: '10',
      MINI_APP_URL: 'https://app.example.com/',
      RATE_LIMIT_MAX: '100000',
      ...options.env,
    },
  });
  const bot = options.withBot === false ? undefined : await startBot(t.container);
  return {
    fake,
    t,
    clock,
    bot,
    async close() {
      await bot?.stop();
      await t.close();
      if (!options.fake) await fake.close();
    },
  };
}

/** The Telegram id of a signed-in person. */
export async function telegramIdOf(t: TestApp, userId: string): Promise<number> {
  const [row] = await t.container.database.db
    .select({ telegramId: users.telegramId })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw new Error('no such user');
  return row.telegramId;
}

let nextMessageId = 5_000_000;

/** Someone in the staff group, writing in topics and pressing the cards' buttons. */
export function groupMember(
  fake: FakeBotApi,
  person: { id: number; first_name: string; last_name?: string; language_code?: string },
) {
  const from = { is_bot: false, ...person };
  const chat = { id: staffGroup, type: 'supergroup', title: 'Support team', is_forum: true };
  const date = () => Math.floor(Date.now() / 1000);
  return {
    /** Writes `text` in topic `threadId`; the Telegram message id. */
    write(threadId: number, text: string): number {
      const id = nextMessageId++;
      const command = /^\/\w+/.exec(text);
      fake.pushUpdate({
        message: {
          message_id: id,
          date: date(),
          chat,
          from,
          message_thread_id: threadId,
          is_topic_message: true,
          text,
          ...(command
            ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }
            : {}),
        },
      });
      return id;
    },
    /** Edits their message `messageId` in topic `threadId` to `text`. */
    edit(threadId: number, messageId: number, text: string): void {
      fake.pushUpdate({
        edited_message: {
          message_id: messageId,
          date: date(),
          edit_date: date(),
          chat,
          from,
          message_thread_id: threadId,
          is_topic_message: true,
          text,
        },
      });
    },
    /** Presses the button `data` under the bot's message `messageId` in topic `threadId`. */
    press(threadId: number, messageId: number, data: string): string {
      const id = String(nextMessageId++);
      fake.pushUpdate({
        callback_query: {
          id,
          from,
          chat_instance: String(staffGroup),
          data,
          message: {
            message_id: messageId,
            date: date(),
            chat,
            message_thread_id: threadId,
            is_topic_message: true,
            text: '',
          },
        },
      });
      return id;
    },
  };
}

/** A call into topic `threadId` of the staff group. */
export function inTopic(threadId: number) {
  return (call: RecordedCall) =>
    Number(call.params.chat_id) === staffGroup &&
    Number(call.params.message_thread_id) === threadId;
}

/** The answer to the button press `id`. */
export function answerTo(id: string) {
  return (call: RecordedCall) => call.params.callback_query_id === id;
}
