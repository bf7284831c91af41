import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import {
  paced,
  startBotHarness,
  type BotChat,
  type BotHarness,
  type BotReply,
  type TelegramPerson,
} from '../../test/bot.js';
import { sample, scrape } from '../../test/metrics.js';
import { callAs, signInAs } from '../../test/people.js';
import type { Principal } from '../auth/service.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

const miniAppUrl = 'https://app.example.test/';

/** The bot's next message in `chat` whose text contains `text`, skipping others. */
async function nextWith(chat: Pick<BotChat, 'next'>, text: string): Promise<BotReply> {
  for (;;) {
    const reply = await chat.next();
    if (reply.text.includes(text)) return reply;
  }
}

let nextId = 7_300_000;
function person(language: 'ru' | 'en', first_name = 'Nina'): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name, language_code: language };
}

describe('/start, /help, /tickets and /status', () => {
  let harness: BotHarness;
  let category: string;
  let staff: Principal;

  beforeAll(async () => {
    harness = await startBotHarness({ env: { MINI_APP_URL: miniAppUrl } });
    const admin = await signInAs(harness.testApp, 'admin');
    staff = { userId: admin.id, role: admin.role, sessionId: 'test' };
    category = (
      await harness.testApp.container.categories.create(staff, {
        name: 'Printers',
        description: '',
        icon: '🖨',
        color: '#336699',
        sort_order: 0,
        is_active: true,
      })
    ).id;
  });
  afterAll(() => harness.close());

  /** Opens a ticket through the API as the Telegram person. */
  async function openTicket(who: TelegramPerson, title: string) {
    const session = await signIn(harness.testApp, who);
    const response = await harness.testApp.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(session.access_token),
      payload: { category_id: category, title, description: 'It does not work.' },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; number: number }>();
  }

  it('answers an error in a handler politely, in the user’s language, and counts it', async () => {
    const before = await scrape(harness.testApp);
    // First in this suite: no notification is on its way to take the planned failure.
    const chat = harness.chat(person('ru'));
    // Telegram refuses the answer (not retried): the handler fails, and the error handler speaks.
    harness.fake.failNext('sendMessage', { status: 400, description: 'Bad Request: odd' });
    chat.send('/help');
    expect((await chat.next()).text).toBe(
      'Что-то пошло не так на нашей стороне. Попробуйте ещё раз чуть позже.',
    );
    const after = await scrape(harness.testApp);
    const updates = 'ttb_bot_updates_total';
    expect(sample(after, updates)).toBe((sample(before, updates) ?? 0) + 1);
    expect(sample(after, 'ttb_bot_errors_total')).toBe(
      (sample(before, 'ttb_bot_errors_total') ?? 0) + 1,
    );
  });

  it('greets a new user in English, creates them and offers the Mini App and the menu', async () => {
    const who = person('en', 'Nina <3');
    const chat = harness.chat(who);
    chat.send('/start');
    const welcome = await chat.next();
    expect(welcome.text).toContain('Hi, Nina &lt;3!');
    expect(welcome.text).toContain('support bot');
    expect(welcome.buttons).toEqual([
      [{ text: '📱 Open the app', web_app: { url: miniAppUrl } }],
      [
        { text: '✍️ New ticket', callback_data: 'support:start' },
        { text: '📋 My tickets', callback_data: 'start:status' },
      ],
    ]);
    const user = await harness.testApp.container.users.findByTelegramId(who.id);
    expect(user).toMatchObject({ firstName: 'Nina <3', role: 'user', languageCode: 'en' });
  });

  it('greets in Russian by default, and for ru clients', async () => {
    for (const who of [person('ru'), { id: ++nextId, first_name: 'Oleg' }]) {
      const chat = harness.chat(who);
      chat.send('/start');
      const welcome = await chat.next();
      expect(welcome.text).toContain(`Здравствуйте, ${who.first_name}!`);
      expect(welcome.buttons.flat().map((b) => b.text)).toEqual([
        '📱 Открыть приложение',
        '✍️ Новое обращение',
        '📋 Мои обращения',
      ]);
    }
  });

  it('greets with the text an admin saved for the user’s language, and the built-in one again once it is cleared', async () => {
    const admin = await signInAs(harness.testApp, 'admin');
    const save = (greeting: { ru: string; en: string }) =>
      callAs(harness.testApp, admin, 'PUT', '/settings', { greeting });
    expect(
      (await save({ ru: 'Добро пожаловать в «Ромашку»!', en: 'Welcome to <Acme> & Co' }))
        .statusCode,
    ).toBe(200);

    const english = harness.chat(person('en', 'Ivy'));
    english.send('/start');
    const saved = await english.next();
    expect(saved.text).toContain('Welcome to &lt;Acme&gt; &amp; Co');
    expect(saved.text).not.toContain('Hi, Ivy!');
    expect(saved.buttons.flat().map((b) => b.text)).toContain('✍️ New ticket');
    const russian = harness.chat(person('ru', 'Ира'));
    russian.send('/start');
    expect((await russian.next()).text).toContain('Добро пожаловать в «Ромашку»!');

    // English cleared: the built-in greeting; Russian keeps its saved text.
    expect((await save({ ru: 'Добро пожаловать в «Ромашку»!', en: '' })).statusCode).toBe(200);
    english.send('/start');
    expect((await english.next()).text).toContain('Hi, Ivy!');
    russian.send('/start');
    expect((await russian.next()).text).toContain('Добро пожаловать в «Ромашку»!');
    expect((await save({ ru: '', en: '' })).statusCode).toBe(200);
  });

  it('greets clients in other languages in English, as their notifications are', async () => {
    for (const language_code of ['de', 'pt-BR']) {
      const chat = harness.chat({ id: ++nextId, first_name: 'Greta', language_code });
      chat.send('/start');
      const welcome = await chat.next();
      expect(welcome.text, language_code).toContain('Hi, Greta!');
      expect(welcome.buttons.flat().map((b) => b.text)).toContain('✍️ New ticket');
    }
  });

  it('opens the card of an own ticket from a ticket_<n> payload, and refuses others', async () => {
    const owner = person('en');
    const ticket = await openTicket(owner, 'Paper jam <tray 2>');
    const chat = harness.chat(owner);
    chat.send(`/start ticket_${ticket.number}`);
    const card = await chat.next();
    expect(card.text).toContain(`<b>#${ticket.number}</b> Paper jam &lt;tray 2&gt;`);
    expect(card.text).toContain('🆕 Open · priority: normal · updated');
    expect(card.buttons).toEqual([
      [
        {
          text: `Open #${ticket.number}`,
          web_app: { url: `${miniAppUrl}?startapp=ticket_${ticket.number}` },
        },
      ],
    ]);
    const recorded = createTicketMessages(harness.testApp.container.database.db);
    await vi.waitFor(async () => {
      expect((await recorded.subjectOf(owner.id, card.message_id ?? 0))?.ticketId).toBe(ticket.id);
    });

    const stranger = harness.chat(person('ru'));
    stranger.send(`/start ticket_${ticket.number}`);
    expect((await stranger.next()).text).toBe(
      `Обращение #${ticket.number} не найдено. Возможно, номер неверный или оно не ваше.`,
    );
    stranger.send('/start ticket_999999');
    expect((await stranger.next()).text).toContain('Обращение #999999 не найдено');
  });

  it('lets staff open any ticket by its number', async () => {
    const ticket = await openTicket(person('en'), 'Toner');
    const agentPerson = person('en', 'Artem');
    const agent = await signIn(harness.testApp, agentPerson);
    await harness.testApp.container.users.setRole(agent.user.id, 'agent');
    const chat = harness.chat(agentPerson);
    chat.send(`/start ticket_${ticket.number}`);
    expect((await chat.next()).text).toContain(`<b>#${ticket.number}</b> Toner`);
  });

  it('explains the bot in /help, with staff and admin commands only for them', async () => {
    const user = harness.chat(person('en'));
    user.send('/help');
    const help = await user.next();
    expect(help.text).toContain('/status — My active tickets');
    expect(help.text).toContain('How to reach a person');
    expect(help.text).not.toContain('/admin');

    const agentPerson = person('ru');
    const agent = await signIn(harness.testApp, agentPerson);
    await harness.testApp.container.users.setRole(agent.user.id, 'agent');
    const agentChat = harness.chat(agentPerson);
    agentChat.send('/help');
    const agentHelp = await agentChat.next();
    expect(agentHelp.text).toContain('/admin — Панель поддержки');
    expect(agentHelp.text).toContain('Как связаться с человеком');
    expect(agentHelp.text).not.toContain('/broadcast');

    const adminPerson = person('en');
    const admin = await signIn(harness.testApp, adminPerson);
    await harness.testApp.container.users.setRole(admin.user.id, 'admin');
    const adminChat = harness.chat(adminPerson);
    adminChat.send('/help');
    const adminHelp = await adminChat.next();
    expect(adminHelp.text).toContain('/stats');
    expect(adminHelp.text).toContain('/role');
    expect(adminHelp.text).toContain('/broadcast');
  });

  it('opens the Mini App list from /tickets', async () => {
    const chat = harness.chat(person('en'));
    chat.send('/tickets');
    const answer = await chat.next();
    expect(answer.text).toBe('All your tickets are in the app:');
    expect(answer.buttons).toEqual([[{ text: '📱 Open the app', web_app: { url: miniAppUrl } }]]);
  });

  it('lists active tickets in /status, newest activity first, each with an open button', async () => {
    const who = person('en');
    const older = await openTicket(who, 'Scanner is slow');
    const solved = await openTicket(who, 'Printer offline');
    const newer = await openTicket(who, 'Fax & copier');
    await harness.testApp.container.tickets.changeStatus(staff, solved.id, 'resolved');
    // Activity on the oldest ticket brings it to the top.
    await harness.testApp.container.tickets.update(staff, older.id, { priority: 'high' });

    const chat = paced(harness.chat(who));
    await chat.send('/status');
    // Notifications of the changes above may come first.
    const status = await nextWith(chat, 'Your active tickets');
    expect(status.text).toMatch(/^<b>Your active tickets \(2\)<\/b>/);
    expect(status.text).not.toContain('Printer offline');
    expect(status.text.indexOf('Scanner is slow')).toBeLessThan(status.text.indexOf('Fax &amp;'));
    expect(status.text).toContain('priority: high · updated just now');
    expect(status.buttons.flat().map((b) => b.text)).toEqual([
      `Open #${older.number}`,
      `Open #${newer.number}`,
    ]);

    // "My tickets" in the /start menu shows the same list.
    await chat.send('/start');
    const menu = await nextWith(chat, 'Hi, Nina');
    await chat.press(menu.message_id ?? 0, 'start:status');
    expect((await nextWith(chat, 'Your active tickets')).text).toBe(status.text);
  });

  it('offers a new ticket when /status has nothing active', async () => {
    const chat = harness.chat(person('ru'));
    chat.send('/status');
    const status = await chat.next();
    expect(status.text).toBe('У вас нет активных обращений. Если нужна помощь — создайте новое.');
    expect(status.buttons).toEqual([
      [{ text: '✍️ Новое обращение', callback_data: 'support:start' }],
    ]);
  });

  it('answers a blocked account with the blocked notice and nothing else', async () => {
    const who = person('en');
    const session = await signIn(harness.testApp, who);
    await harness.testApp.container.users.changeStatus(staff, session.user.id, false);
    const chat = harness.chat(who);
    chat.send('/status');
    expect((await chat.next()).text).toBe(
      'Your account is blocked. If this is a mistake, please contact support.',
    );
    chat.send('/start');
    expect((await chat.next()).text).toContain('Your account is blocked');
    // A button of an older message: the press is answered, so its spinner stops.
    const pressed = harness.fake.calls.length;
    chat.press(1, 'start:status');
    expect((await chat.next()).text).toContain('Your account is blocked');
    await harness.fake.waitFor(
      'answerCallbackQuery',
      (c) => harness.fake.calls.indexOf(c) >= pressed,
    );
  });

  it('clears the bot-blocked mark when the user writes to the bot again', async () => {
    const who = person('en');
    const session = await signIn(harness.testApp, who);
    const users = harness.testApp.container.users;
    await users.markBotBlocked(session.user.id, new Date());
    const chat = harness.chat(who);
    chat.send('/help');
    await chat.next();
    expect((await users.getById(session.user.id)).botBlockedAt).toBeNull();
  });

  it('follows the user blocking and unblocking the bot, answering nothing', async () => {
    const who = person('en');
    const session = await signIn(harness.testApp, who);
    const users = harness.testApp.container.users;
    // A notification already met the 403 before Telegram's "kicked" update came in.
    await users.markBotBlocked(session.user.id, new Date());
    const chatMember = (status: 'kicked' | 'member') => ({
      my_chat_member: {
        chat: { id: who.id, type: 'private', first_name: who.first_name },
        from: { is_bot: false, ...who },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: status === 'kicked' ? 'member' : 'kicked', user: botUser },
        new_chat_member: { status, user: botUser },
      },
    });
    const botUser = { id: 1, is_bot: true, first_name: 'Bot' };
    const calls = harness.fake.calls.length;
    harness.fake.pushUpdate(chatMember('kicked'));
    harness.fake.pushUpdate(chatMember('member'));
    await vi.waitFor(async () => {
      expect((await users.getById(session.user.id)).botBlockedAt).toBeNull();
    });
    harness.fake.pushUpdate(chatMember('kicked'));
    await vi.waitFor(async () => {
      expect((await users.getById(session.user.id)).botBlockedAt).not.toBeNull();
    });
    const sends = harness.fake.calls
      .slice(calls)
      .filter((c) => Number(c.params.chat_id) === who.id && c.method === 'sendMessage');
    expect(sends).toEqual([]);
  });

  it('tells a flooding user to slow down once per window, and drops the excess', async () => {
    const chat = harness.chat(person('en'));
    for (let i = 0; i < 20; i += 1) chat.send('/tickets');
    await harness.fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === chat.person.id && String(c.params.text).includes('wait'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = chat.all().map((reply) => reply.text);
    expect(texts.filter((text) => text.includes('Too many messages'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('All your tickets'))).toHaveLength(12);
  });
});

describe('without an https Mini App', () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness({ env: { MINI_APP_URL: 'http://localhost:5173/' } });
  });
  afterAll(() => harness.close());

  it('names the address instead of a web_app button', async () => {
    const chat = paced(harness.chat(person('en')));
    await chat.send('/start');
    const welcome = await chat.next();
    expect(welcome.text).toContain('The app with your tickets: http://localhost:5173/');
    expect(welcome.buttons.flat().some((b) => 'web_app' in b)).toBe(false);
    await chat.send('/tickets');
    expect((await chat.next()).text).toContain(
      'All your tickets are in the app: http://localhost:5173/',
    );
  });

  it('opens a listed ticket’s card in the chat instead', async () => {
    const who = person('en');
    const admin = await signInAs(harness.testApp, 'admin');
    const staff = { userId: admin.id, role: admin.role, sessionId: 'test' };
    const categoryId = (
      await harness.testApp.container.categories.create(staff, {
        name: 'Network',
        description: '',
        icon: '🌐',
        color: '#336699',
        sort_order: 0,
        is_active: true,
      })
    ).id;
    const session = await signIn(harness.testApp, who);
    const created = await harness.testApp.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(session.access_token),
      payload: { category_id: categoryId, title: 'No Wi-Fi', description: 'Since noon.' },
    });
    const ticket = created.json<{ number: number }>();
    const chat = paced(harness.chat(who));
    await chat.send('/status');
    const status = await chat.next();
    expect(status.buttons).toEqual([
      [{ text: `Open #${ticket.number}`, callback_data: `start:ticket:${ticket.number}` }],
    ]);
    await chat.press(status.message_id ?? 0, `start:ticket:${ticket.number}`);
    const card = await chat.next();
    expect(card.text).toContain(`<b>#${ticket.number}</b> No Wi-Fi`);
    expect(card.buttons).toEqual([]);
  });
});
