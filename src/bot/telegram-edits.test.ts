import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import { startBotHarness, type BotHarness, type TelegramPerson } from '../../test/bot.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

const hour = 3_600_000;
let nextId = 7_900_000;

interface ApiMessage {
  content: string;
  edited_at: string | null;
}

describe('a customer’s edit in Telegram of a message that joined a ticket', () => {
  let harness: BotHarness;
  let clock: ManualClock;
  let category: string;

  beforeAll(async () => {
    clock = manualClock('2026-04-06T09:00:00Z');
    // No worker: nothing here is delivered; the bot and the API run on a clock the test moves.
    harness = await startBotHarness({ clock, env: { ROLES: 'api,bot', RATE_LIMIT_MAX: '10000' } });
    category = await addCategory(harness.testApp);
  });
  afterAll(() => harness.close());

  /** Signs `tg` in afresh (the clock moves by days, past an access token's life). */
  async function as(tg: TelegramPerson, role: Person['role'] = 'user'): Promise<Person> {
    const pair = await signIn(harness.testApp, tg);
    return {
      id: pair.user.id,
      role,
      token: pair.access_token,
      headers: bearer(pair.access_token),
    };
  }

  async function contents(tg: TelegramPerson, ticketId: string): Promise<ApiMessage[]> {
    const response = await callAs(
      harness.testApp,
      await as(tg),
      'GET',
      `/tickets/${ticketId}/messages`,
    );
    return response.json<{ items: ApiMessage[] }>().items;
  }

  /** A customer's ticket, and their reply to a bot message about it, added to it. */
  async function replied(text: string) {
    nextId += 1;
    const tg: TelegramPerson = { id: nextId, first_name: 'Olga', language_code: 'en' };
    const ticket = await openTicket(harness.testApp, await as(tg), category);
    const botMessage = 50_000 + nextId;
    await createTicketMessages(harness.testApp.container.database.db).record(tg.id, botMessage, {
      ticketId: ticket.id,
      internal: false,
    });
    const chat = harness.chat(tg);
    const reply = chat.reply(botMessage, text);
    expect((await chat.next()).text).toContain(`Added to #${ticket.number}`);
    return { tg, chat, ticket, reply };
  }

  it('edits the ticket message within 48 hours, marked edited', async () => {
    const { tg, chat, ticket, reply } = await replied('Order 991 is late');
    clock.advance(47 * hour);
    chat.edit(reply, 'Order 992 is late');
    await expect
      .poll(async () => (await contents(tg, ticket.id))[0]?.content)
      .toBe('Order 992 is late');
    expect((await contents(tg, ticket.id))[0]?.edited_at).toBe(clock.now().toISOString());
  });

  it('carries a photo’s edited caption', async () => {
    const { tg, chat, ticket, reply } = await replied('Caption before');
    chat.edit(reply, '', { caption: 'Caption after' });
    await expect
      .poll(async () => (await contents(tg, ticket.id))[0]?.content)
      .toBe('Caption after');
  });

  it('says so and changes nothing past 48 hours', async () => {
    const { tg, chat, ticket, reply } = await replied('Too late to change');
    clock.advance(48 * hour + 60_000);
    chat.edit(reply, 'Changed far too late');
    expect((await chat.next()).text).toBe(
      `Your edit was not carried to #${ticket.number}: the message is more than 48 hours old.`,
    );
    expect((await contents(tg, ticket.id)).map((m) => m.content)).toEqual(['Too late to change']);
  });

  it('answers a closed ticket’s refusal, and changes nothing', async () => {
    const { tg, chat, ticket, reply } = await replied('Before closing');
    nextId += 1;
    const agent = await signInAs(harness.testApp, 'agent');
    for (const status of ['resolved', 'closed']) {
      const changed = await callAs(harness.testApp, agent, 'PUT', `/tickets/${ticket.id}/status`, {
        status,
      });
      expect(changed.statusCode).toBe(200);
    }
    chat.edit(reply, 'After closing');
    expect((await chat.next()).text).toContain(`Ticket #${ticket.number} is closed`);
    expect((await contents(tg, ticket.id)).map((m) => m.content)).toEqual(['Before closing']);
  });

  it('refuses an edit longer than a message may be', async () => {
    const { tg, chat, ticket, reply } = await replied('Short');
    chat.edit(reply, 'x'.repeat(4001));
    expect((await chat.next()).text).toContain('too long');
    expect((await contents(tg, ticket.id)).map((m) => m.content)).toEqual(['Short']);
  });

  it('lets edits of messages that never joined a ticket pass unanswered', async () => {
    nextId += 1;
    const tg: TelegramPerson = { id: nextId, first_name: 'Ivan', language_code: 'en' };
    const chat = harness.chat(tg);
    chat.edit(123_456, 'Nothing to do with a ticket');
    chat.send('/help');
    // The next thing the bot says answers /help: the edit went unanswered.
    expect((await chat.next()).text).not.toContain('edit');
  });
});
