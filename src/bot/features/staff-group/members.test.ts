import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../../../test/fake-bot-api.js';
import { addCategory, openTicket, signInAs, type Person } from '../../../../test/people.js';
import {
  answerTo,
  groupMember,
  inTopic,
  staffGroup,
  startStaffGroupWorld,
  telegramIdOf,
  type StaffGroupWorld,
} from '../../../../test/staff-group.js';
import { auditLog, messages } from '../../../db/schema.js';
import { textsFor } from '../../texts/index.js';

const textOf = (call: RecordedCall) =>
  typeof call.params.text === 'string' ? call.params.text : '';

describe('people in the staff group', () => {
  let w: StaffGroupWorld;
  let customer: Person;
  let admin: Person;
  let category: string;

  beforeAll(async () => {
    w = await startStaffGroupWorld();
    customer = await signInAs(w.t, 'user', { first_name: 'Cora' });
    admin = await signInAs(w.t, 'admin');
    category = await addCategory(w.t);
  });
  afterAll(() => w.close());

  /** A new ticket and its topic's thread and card. */
  async function ticketTopic(title: string) {
    const ticket = await openTicket(w.t, customer, category, { title });
    const created = await w.fake.waitFor('createForumTopic', (c) =>
      String(c.params.name).startsWith(`#${ticket.number} `),
    );
    const threadId = (created.result as { message_thread_id: number }).message_thread_id;
    const card = await w.fake.waitFor('sendMessage', inTopic(threadId));
    return { ticket, threadId, cardId: (card.result as { message_id: number }).message_id };
  }

  async function setMemberRole(role: 'agent' | 'none') {
    await w.t.container.settings.update(
      { userId: admin.id, role: 'admin' },
      { staff_chat: { chat_id: staffGroup, sign_replies: true, member_role: role } },
    );
  }

  it('makes a member who is not a user yet an agent on their first message, audited', async () => {
    await setMemberRole('agent');
    const { ticket, threadId } = await ticketTopic('New colleague');
    const newcomer = groupMember(w.fake, { id: 7_700_001, first_name: 'Nina' });
    newcomer.write(threadId, 'Hello, I am new here');
    await expect
      .poll(async () =>
        (
          await w.t.container.database.db
            .select()
            .from(messages)
            .where(eq(messages.ticketId, ticket.id))
        ).map((m) => m.content),
      )
      .toContain('Hello, I am new here');
    const user = await w.t.container.users.findByTelegramId(7_700_001);
    expect(user).toMatchObject({ role: 'agent', firstName: 'Nina' });
    const [entry] = await w.t.container.database.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, 'user.joined_staff_group'), eq(auditLog.entityId, user?.id ?? '')),
      );
    expect(entry?.after).toEqual({ role: 'agent' });
  });

  it('makes a newcomer who presses Take an agent, and gives them the ticket', async () => {
    await setMemberRole('agent');
    const { ticket, threadId, cardId } = await ticketTopic('Take by a newcomer');
    const newcomer = groupMember(w.fake, {
      id: 7_700_002,
      first_name: 'Pavel',
      language_code: 'en',
    });
    const press = newcomer.press(threadId, cardId, `sg:take:${ticket.number}`);
    const answer = await w.fake.waitFor('answerCallbackQuery', answerTo(press));
    expect(answer.params.text).toBe('The ticket is yours');
    const user = await w.t.container.users.findByTelegramId(7_700_002);
    const after = await w.t.container.tickets.snapshot(ticket.id);
    expect(after?.assigned_to).toBe(user?.id);
  });

  it('refuses a newcomer with a clear answer when the settings give members no role', async () => {
    await setMemberRole('none');
    const { ticket, threadId, cardId } = await ticketTopic('Closed door');
    const stranger = groupMember(w.fake, { id: 7_700_003, first_name: 'Sam', language_code: 'en' });
    const written = stranger.write(threadId, 'Let me in');
    const reply = await w.fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).includes('not support staff'),
    );
    expect(reply.params.reply_parameters).toMatchObject({ message_id: written });
    const press = stranger.press(threadId, cardId, `sg:take:${ticket.number}`);
    const answer = await w.fake.waitFor('answerCallbackQuery', answerTo(press));
    expect(answer.params.text).toMatch(/not support staff/);
    expect(await w.t.container.users.findByTelegramId(7_700_003)).toBeUndefined();
    expect((await w.t.container.tickets.snapshot(ticket.id))?.assigned_to).toBeNull();
    await setMemberRole('agent');
  });

  it('refuses a customer who is in the group', async () => {
    const { ticket, threadId } = await ticketTopic('Customer in the group');
    const inside = groupMember(w.fake, {
      id: await telegramIdOf(w.t, customer.id),
      first_name: 'Cora',
      language_code: 'en',
    });
    inside.write(threadId, 'I am a customer');
    await w.fake.waitFor(
      'sendMessage',
      (c) =>
        inTopic(threadId)(c) && textOf(c).includes('Customers do not write in the staff group'),
    );
    const written = await w.t.container.database.db
      .select()
      .from(messages)
      .where(eq(messages.ticketId, ticket.id));
    expect(written.map((m) => m.content)).not.toContain('I am a customer');
  });

  it('answers a refused button in the presser’s language', async () => {
    const agent = await signInAs(w.t, 'agent', { first_name: 'Artem', language_code: 'en' });
    const { ticket, threadId, cardId } = await ticketTopic('Closed already');
    await w.t.container.tickets.changeStatus(
      { userId: agent.id, role: 'agent', sessionId: '' },
      ticket.id,
      'closed',
    );
    const staff = groupMember(w.fake, {
      id: await telegramIdOf(w.t, agent.id),
      first_name: 'Artem',
      language_code: 'en',
    });
    const press = staff.press(threadId, cardId, `sg:resolve:${ticket.number}`);
    const answer = await w.fake.waitFor('answerCallbackQuery', answerTo(press));
    expect(answer.params.text).toBe(textsFor('en').refusals.conflict);
    expect(answer.params.show_alert).toBe(true);
    expect((await w.t.container.tickets.snapshot(ticket.id))?.status).toBe('closed');
  });

  it('takes nothing from another group and answers nothing there', async () => {
    const handled = async () =>
      (await w.t.container.metrics.botUpdates.get()).values[0]?.value ?? 0;
    const before = w.fake.calls.length;
    const updatesBefore = await handled();
    w.fake.pushUpdate({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: -100_555, type: 'supergroup', title: 'Elsewhere' },
        from: { id: 7_700_004, is_bot: false, first_name: 'Otto' },
        text: 'hello bot',
      },
    });
    await expect.poll(handled).toBe(updatesBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(w.fake.calls.slice(before).filter((c) => Number(c.params.chat_id) === -100_555)).toEqual(
      [],
    );
    expect(await w.t.container.users.findByTelegramId(7_700_004)).toBeUndefined();
  });
});
