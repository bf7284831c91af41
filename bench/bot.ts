// The bot in a real server process (all roles, long polling the fake Bot API HTTP server):
// how long `/start` takes from the update's arrival to the bot's answer, and how fast a
// `/broadcast` to a few hundred users goes out (the delivery worker paces it at
// NOTIFY_RATE_PER_S). Part of `npm run bench`; alone: `npx tsx bench/bot.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../test/fake-bot-api.js';
import { testBotToken } from '../test/init-data.js';
import { percentile, startServer, stopServer } from './server.js';

const starts = 200;
const audience = 500;
const adminId = 9_000_001;
const firstUserId = 9_100_000;

let messageId = 1;

/** A private-chat text message from `userId`, as Telegram sends it in an update. */
function textUpdate(userId: number, text: string): object {
  const command = /^\/\w+/.exec(text)?.[0];
  return {
    message: {
      message_id: messageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: 'Bench' },
      from: { id: userId, is_bot: false, first_name: 'Bench', language_code: 'en' },
      text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] }
        : {}),
    },
  };
}

const toChat = (userId: number, after: number, fake: FakeBotApi) => (call: RecordedCall) =>
  Number(call.params.chat_id) === userId && fake.calls.indexOf(call) >= after;

/** Sends `/start` from new users one at a time; the time to each answer, sorted. */
async function startLatencies(fake: FakeBotApi): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < starts; index += 1) {
    const userId = firstUserId + index;
    const mark = fake.calls.length;
    const sent = performance.now();
    fake.pushUpdate(textUpdate(userId, '/start'));
    await fake.waitFor('sendMessage', toChat(userId, mark, fake), 30_000);
    latencies.push(performance.now() - sent);
  }
  return latencies.sort((a, b) => a - b);
}

/**
 * Has the admin broadcast to everyone: seconds from Confirm to the final report, the span from
 * the first delivered message to the last, and how many went out.
 */
async function broadcastSeconds(
  fake: FakeBotApi,
): Promise<{ reportSeconds: number; spanSeconds: number; sent: number }> {
  // The audience: everyone who has pressed /start (the latency run made the first of them).
  for (let index = starts; index < audience; index += 1) {
    fake.pushUpdate(textUpdate(firstUserId + index, '/start'));
  }
  await waitUntil(() => fake.sent('sendMessage').length >= audience, 60_000);
  let mark = fake.calls.length;
  fake.pushUpdate(textUpdate(adminId, '/broadcast'));
  await fake.waitFor('sendMessage', toChat(adminId, mark, fake));
  mark = fake.calls.length;
  fake.pushUpdate(textUpdate(adminId, 'The service is back after maintenance.'));
  const preview = await fake.waitFor('sendMessage', toChat(adminId, mark, fake));
  const previewId = (preview.result as { message_id: number }).message_id;
  const confirmed = performance.now();
  fake.pushUpdate({
    callback_query: {
      id: 'bench',
      from: { id: adminId, is_bot: false, first_name: 'Admin', language_code: 'en' },
      chat_instance: String(adminId),
      data: 'bc:ok',
      message: { message_id: previewId, date: 0, chat: { id: adminId, type: 'private' } },
    },
  });
  await fake.waitFor(
    'editMessageText',
    (c) => Number(c.params.chat_id) === adminId && String(c.params.text).includes('finished'),
    180_000,
  );
  const reportSeconds = (performance.now() - confirmed) / 1000;
  const delivered = fake
    .sent('sendMessage')
    .filter(
      (c) =>
        Number(c.params.chat_id) !== adminId &&
        String(c.params.text).includes('back after maintenance'),
    );
  // `at` is Date.now(); the first and last arrival span the sending itself.
  const times = delivered.map((c) => c.at).sort((a, b) => a - b);
  const spanSeconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  return { reportSeconds, spanSeconds, sent: delivered.length };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Prints the `/start` latency and the broadcast's pace on a server started with `env`. */
export async function benchBot(label: string, env: Record<string, string>): Promise<void> {
  const fake = await startFakeBotApi();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-bot-'));
  const server = await startServer({
    ...env,
    DATA_DIR: dataDir,
    TELEGRAM_BOT_TOKEN: testBotToken,
    TELEGRAM_API_ROOT: fake.url,
    MINI_APP_URL: 'https://app.example.com/',
    OWNER_TELEGRAM_IDS: String(adminId),
    BROADCAST_PROGRESS_S: '3',
  });
  try {
    const latencies = await startLatencies(fake);
    const ms = (fraction: number) => percentile(latencies, fraction).toFixed(0);
    const startTitle = `/start update -> answer (${label})`;
    console.log(
      `  ${startTitle.padEnd(50)}` +
        `  p50 ${ms(0.5)} ms   p95 ${ms(0.95)} ms   max ${ms(1)} ms   (${starts} new users)`,
    );
    const { reportSeconds, spanSeconds, sent } = await broadcastSeconds(fake);
    const broadcastTitle = `/broadcast Confirm -> final report (${label})`;
    console.log(
      `  ${broadcastTitle.padEnd(50)}` +
        `  ${reportSeconds.toFixed(1)} s; ${sent} messages sent over ${spanSeconds.toFixed(1)} s` +
        ` = ${(sent / spanSeconds).toFixed(1)}/s   (NOTIFY_RATE_PER_S 25)`,
    );
  } finally {
    await stopServer(server);
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await benchBot('embedded', {});
}
