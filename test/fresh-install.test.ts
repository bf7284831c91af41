import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botChat, paced, type BotReply, type PacedChat } from './bot.js';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { createEmptyPostgresDatabase, testDatabaseUrl, testRedisUrl } from './infra.js';
import { readyUrl, spawnApp, type AppProcess } from './spawn-app.js';

const ownerId = 8_100_001;
const customerId = 8_100_002;

/** The bot's next message in `chat` whose text contains `text`, skipping others. */
async function nextWith(chat: PacedChat, text: string): Promise<BotReply> {
  for (;;) {
    const reply = await chat.next(15_000);
    if (reply.text.includes(text)) return reply;
  }
}

/** The `callback_data` of the only button whose text contains `label`. */
function buttonData(reply: BotReply, label: string): string {
  const matches = reply.buttons.flat().filter((b) => String(b.text).includes(label));
  expect(matches).toHaveLength(1);
  return String(matches[0]!.callback_data);
}

describe('a fresh production install', () => {
  let fake: FakeBotApi;
  let server: AppProcess;
  let dropDatabase: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-fresh-'));

  beforeAll(async () => {
    fake = await startFakeBotApi();
    const database = testDatabaseUrl ? await createEmptyPostgresDatabase() : undefined;
    dropDatabase = database ? () => database.drop() : undefined;
    // Exactly what an operator sets for production: no demo mode, nothing seeded.
    server = spawnApp({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      PORT: '0',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      OWNER_TELEGRAM_IDS: String(ownerId),
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(database && testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    });
    await readyUrl(server, 120_000);
    await fake.waitFor('getUpdates', undefined, 30_000);
  }, 180_000);

  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await fake.close();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('tells the operator that new tickets reach no one until an owner writes to the bot', () => {
    expect(server.output()).toContain('no staff yet: new tickets reach no one until an owner');
  });

  it('takes a customer’s ticket through /support on its first start, and tells the owner', async () => {
    // The owner has written to the bot once, so Telegram lets it write to them.
    const owner = paced(botChat(fake, { id: ownerId, first_name: 'Olga', language_code: 'en' }));
    await owner.send('/start');
    await nextWith(owner, 'Hi, Olga!');
    // The owner's checklist: the default category is there; staff and the Mini App are not.
    const checklist = await owner.next(15_000);
    expect(checklist.text).toContain('🛠 <b>Setup</b>: 2 of 4 done');
    expect(checklist.text).toContain('✅ <b>Categories</b>: 1 active — 💬 General questions.');

    const customer = paced(
      botChat(fake, { id: customerId, first_name: 'Kira', language_code: 'en' }),
    );
    await customer.send('/support');
    const form = await customer.next(15_000);
    expect(form.text).toContain('Choose a category');
    const formId = form.message_id ?? 0;
    await customer.press(formId, buttonData(form, 'General'));
    const priority = await nextWith(customer, 'How urgent');
    await customer.press(formId, buttonData(priority, 'High'));
    await nextWith(customer, 'title');
    await customer.send('The printer is offline');
    await nextWith(customer, 'Describe');
    await customer.send('Since this morning nothing prints.');
    const files = await nextWith(customer, 'photos or documents');
    await customer.press(formId, buttonData(files, 'Skip'));
    const preview = await nextWith(customer, 'Check and send');
    await customer.press(formId, buttonData(preview, 'Send'));
    const created = await nextWith(customer, 'created');
    expect(created.text).toContain('✅ Ticket <b>#1</b> created');

    const told = await fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === ownerId && String(c.params.text).includes('#1'),
      15_000,
    );
    expect(String(told.params.text)).toContain('The printer is offline');

    await customer.send('/status');
    const status = await nextWith(customer, 'Your active ticket');
    expect(status.text).toContain('<b>#1</b> The printer is offline');
  }, 90_000);
});
