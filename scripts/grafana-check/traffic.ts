// What a day of use looks like, in a few seconds: the requests and bot updates that make every
// metric the dashboards read move (.ci/deploy-grafana-check).
import { call, signInAs } from '../../bench/server.js';
import type { FakeBotApi } from '../../test/fake-bot-api.js';

/** The owner's Telegram id: start the server with it in OWNER_TELEGRAM_IDS. */
export const ownerTelegramId = 7_100_001;

/** A Telegram `/start` from a new user, as the bot's long poll receives it. */
function startUpdate(updateId: number, userId: number): object {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 1_767_225_600,
      chat: { id: userId, type: 'private', first_name: 'Check' },
      from: { id: userId, is_bot: false, first_name: 'Check', language_code: 'en' },
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  };
}

/**
 * One round (1, 2, …) of traffic: signs in an owner and a customer, opens tickets (staff are notified through the fake Bot API),
 * answers one while the customer has blocked the bot (a failed delivery), resolves another, asks
 * for what does not exist (4xx), and sends the bot two `/start`s. Waits until the notifications
 * and the bot's answers reached the fake.
 */
export async function generateTraffic(url: string, fake: FakeBotApi, round: number): Promise<void> {
  const owner = await signInAs(url, ownerTelegramId, 'Owner');
  // A new customer each round: once a user blocked the bot, nothing more is sent to them.
  const customerTelegramId = 7_100_100 + round;
  const customer = await signInAs(url, customerTelegramId, 'Customer');
  const category = await call<{ id: string }>(`${url}/api/v1/categories`, {
    method: 'POST',
    token: owner,
    body: JSON.stringify({ name: `Dashboards check ${round}` }),
  });
  const tickets: { id: string; number: number }[] = [];
  for (const priority of ['low', 'high', 'critical']) {
    tickets.push(
      await call(`${url}/api/v1/tickets`, {
        method: 'POST',
        token: customer,
        body: JSON.stringify({
          category_id: category.id,
          title: `Check ticket (${priority})`,
          description: 'Made by .ci/deploy-grafana-check',
          priority,
        }),
      }),
    );
  }
  await fake.waitFor(
    'sendMessage',
    (c) =>
      c.params.chat_id === ownerTelegramId &&
      String(c.params.text).includes(`#${tickets[2]!.number}`),
    15_000,
  );

  fake.blockChat(customerTelegramId);
  await call(`${url}/api/v1/tickets/${tickets[0]!.id}/messages`, {
    method: 'POST',
    token: owner,
    body: JSON.stringify({ content: 'Looking into it.' }),
  });
  await call(`${url}/api/v1/tickets/${tickets[1]!.id}/status`, {
    method: 'PUT',
    token: owner,
    body: JSON.stringify({ status: 'resolved' }),
  });
  for (let i = 0; i < 5; i += 1) {
    await call(`${url}/api/v1/tickets?limit=5`, { token: owner });
    await fetch(`${url}/api/v1/tickets/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    await fetch(`${url}/api/v1/auth/me`);
  }

  const lastUser = 7_100_010 + 2 * round;
  fake.pushUpdate(startUpdate(2 * round - 1, lastUser - 1));
  fake.pushUpdate(startUpdate(2 * round, lastUser));
  await fake.waitFor('sendMessage', (c) => c.params.chat_id === lastUser, 15_000);
  // The refused delivery to the blocked customer is counted when the worker tries it.
  const blocked = /^ttb_notification_delivery_failures_total\{reason="blocked"\} (\d+)/m;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    if (Number(blocked.exec(metrics)?.[1] ?? 0) >= round) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('no notification delivery failed after the customer blocked the bot');
}
