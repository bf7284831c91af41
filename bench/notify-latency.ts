// Time from `POST /api/v1/tickets` to the Bot API's `sendMessage` telling a staff member, through
// a real server process (all roles) and the fake Bot API HTTP server. Part of `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeBotApi, type FakeBotApi } from '../test/fake-bot-api.js';
import { testBotToken } from '../test/init-data.js';
import { call, percentile, signInAs, startServer, stopServer } from './server.js';

const tickets = 200;
const ownerTelegramId = 7_000_001;
const customerTelegramId = 7_000_002;

const signIn = (url: string, telegramId: number) => signInAs(url, telegramId, 'Bench');

/** Opens tickets one after another and times each until its staff notification is sent. */
async function measure(url: string, fake: FakeBotApi): Promise<number[]> {
  const ownerToken = await signIn(url, ownerTelegramId);
  const customerToken = await signIn(url, customerTelegramId);
  const category = await call<{ id: string }>(`${url}/api/v1/categories`, {
    method: 'POST',
    token: ownerToken,
    body: JSON.stringify({ name: 'Bench' }),
  });
  const latencies: number[] = [];
  for (let i = 0; i < tickets; i += 1) {
    const started = Date.now();
    const ticket = await call<{ number: number }>(`${url}/api/v1/tickets`, {
      method: 'POST',
      token: customerToken,
      body: JSON.stringify({
        category_id: category.id,
        title: `Bench ticket ${i}`,
        description: 'How fast does staff hear of it?',
      }),
    });
    const sent = await fake.waitFor(
      'sendMessage',
      (c) =>
        c.params.chat_id === ownerTelegramId &&
        String(c.params.text).includes(`#${ticket.number}</b>`),
      30_000,
    );
    latencies.push(sent.at - started);
  }
  return latencies;
}

/**
 * Prints p50/p95/max of the time from `POST /tickets` to `sendMessage` for a staff member over
 * 200 tickets, on a server started with `env` (the database and Redis of the mode).
 */
export async function benchNotifyLatency(
  label: string,
  env: Record<string, string>,
): Promise<void> {
  const fake = await startFakeBotApi();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-bench-notify-'));
  const server = await startServer({
    ...env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: testBotToken,
    TELEGRAM_API_ROOT: fake.url,
    MINI_APP_URL: 'https://app.example.com/',
    OWNER_TELEGRAM_IDS: String(ownerTelegramId),
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
  });
  try {
    const sorted = (await measure(server.url, fake)).sort((a, b) => a - b);
    const title = `POST /tickets -> sendMessage to staff (${label})`;
    console.log(
      `  ${title.padEnd(50)}` +
        `  p50 ${percentile(sorted, 0.5)} ms   p95 ${percentile(sorted, 0.95)} ms` +
        `   max ${sorted.at(-1)} ms   (${sorted.length} tickets, one at a time)`,
    );
  } finally {
    await stopServer(server);
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run alone: `npx tsx bench/notify-latency.ts` (embedded database).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await benchNotifyLatency('embedded', {});
}
