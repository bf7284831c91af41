import { eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { openTestDatabase } from '../../test/infra.js';
import { addCategory, callAs, openTicket, signInAs } from '../../test/people.js';
import {
  fastClock,
  groupMember,
  inTopic,
  staffGroup,
  startStaffGroupWorld,
  telegramIdOf,
  type StaffGroupWorld,
} from '../../test/staff-group.js';
import { staffPosts, staffTopics } from '../db/schema.js';

const toGroup = (call: RecordedCall) => Number(call.params.chat_id) === staffGroup;

/** Calls the fake's group limit counts: sends and topic creation. */
const counted = (call: RecordedCall) =>
  toGroup(call) && (call.method.startsWith('send') || call.method === 'createForumTopic');

const textOf = (call: RecordedCall) =>
  typeof call.params.text === 'string' ? call.params.text : '';

/** The most calls within any 60 s of the fake's clock. */
function busiestMinute(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= 60_000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The thread of the topic made for ticket `number`. */
async function threadOf(fake: FakeBotApi, number: number, timeoutMs = 20_000): Promise<number> {
  const created = await fake.waitFor(
    'createForumTopic',
    (c) => String(c.params.name).startsWith(`#${number} `),
    timeoutMs,
  );
  return (created.result as { message_thread_id: number }).message_thread_id;
}

describe('posting to the staff group', () => {
  let w: StaffGroupWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('never passes 20 group messages a minute, and never holds up notifications to people', async () => {
    // A slower clock than the others: a busy machine must not let the tokens of the
    // people below expire (15 minutes of this clock) before the dozen tickets are open.
    w = await startStaffGroupWorld({ withBot: false, speed: 10 });
    const { fake, t } = w;
    const customer = await signInAs(t, 'user');
    const agent = await signInAs(t, 'agent');
    const agentChat = await telegramIdOf(t, agent.id);
    const category = await addCategory(t);
    const tickets: Awaited<ReturnType<typeof openTicket>>[] = [];
    for (let i = 0; i < 12; i += 1) {
      tickets.push(await openTicket(t, customer, category, { title: `Paced ${i}` }));
    }
    for (const ticket of tickets) await threadOf(fake, ticket.number, 60_000);
    await fake.waitFor(
      'sendMessage',
      (c) => toGroup(c) && textOf(c).includes(`#${tickets[11]?.number} ·`),
      60_000,
    );
    const groupTimes = fake.calls.filter(counted).map((c) => c.at);
    expect(groupTimes.length).toBeGreaterThanOrEqual(24);
    expect(busiestMinute(groupTimes)).toBeLessThanOrEqual(20);
    expect(fake.calls.filter((c) => toGroup(c) && !fake.sent().includes(c))).toEqual([]);
    // The agent heard of every ticket long before the group had them all.
    const toAgent = fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) === agentChat);
    expect(toAgent).toHaveLength(12);
    const lastToAgent = Math.max(...toAgent.map((c) => c.at));
    expect(lastToAgent).toBeLessThan(Math.max(...groupTimes) - 20_000);
  }, 120_000);

  it('coalesces the changes of one ticket that wait in the queue into one post of the last state', async () => {
    w = await startStaffGroupWorld({
      withBot: false,
      speed: 60,
      env: { STAFF_GROUP_POSTS_PER_MIN: '2' },
    });
    const { fake, t } = w;
    const customer = await signInAs(t, 'user');
    const agent = await signInAs(t, 'agent');
    const category = await addCategory(t);
    const ticket = await openTicket(t, customer, category, { title: 'Coalesce me' });
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'in_progress' });
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'waiting' });
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}`, { priority: 'high' });
    await callAs(t, customer, 'PUT', `/tickets/${ticket.id}`, { title: 'Coalesced' });
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'resolved' });
    const rows = await t.container.database.db
      .select()
      .from(staffPosts)
      .where(eq(staffPosts.ticketId, ticket.id));
    expect(rows.map((row) => row.kind)).toEqual(['topic', 'change']);
    const threadId = await threadOf(fake, ticket.number);
    const line = await fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).startsWith('Статус:'),
      20_000,
    );
    expect(textOf(line)).toMatch(
      /^Статус: Открыто → <b>Решено<\/b> · Приоритет: Обычный → <b>Высокий<\/b> · Название: <b>Coalesced<\/b> — от Test/,
    );
    await fake.waitFor(
      'editForumTopic',
      (c) => c.params.name === `#${ticket.number} · Coalesced`,
      20_000,
    );
    expect(fake.sent('sendMessage').filter(inTopic(threadId))).toHaveLength(2);
  }, 60_000);

  it('waits out a storm of 429s and the group limit, losing and repeating nothing', async () => {
    w = await startStaffGroupWorld({
      withBot: false,
      groupLimit: 6,
      env: { STAFF_GROUP_POSTS_PER_MIN: '20' },
    });
    const { fake, t } = w;
    const customer = await signInAs(t, 'user');
    const category = await addCategory(t);
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, 5);
    const tickets: Awaited<ReturnType<typeof openTicket>>[] = [];
    for (let i = 0; i < 4; i += 1) {
      const ticket = await openTicket(t, customer, category, { title: `Storm ${i}` });
      await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
        content: `storm note ${i}`,
      });
      tickets.push(ticket);
    }
    for (const [i, ticket] of tickets.entries()) {
      const threadId = await threadOf(fake, ticket.number, 30_000);
      await fake.waitFor(
        'sendMessage',
        (c) => inTopic(threadId)(c) && textOf(c).includes(`storm note ${i}`),
        30_000,
      );
    }
    const refused = fake.calls.filter((c) => toGroup(c) && !fake.sent().includes(c));
    expect(refused.length).toBeGreaterThanOrEqual(5);
    const sent = fake.sent().filter(toGroup);
    for (const [i, ticket] of tickets.entries()) {
      expect(
        sent.filter(
          (c) =>
            c.method === 'createForumTopic' &&
            String(c.params.name).startsWith(`#${ticket.number} `),
        ),
      ).toHaveLength(1);
      expect(sent.filter((c) => textOf(c).includes(`storm note ${i}`))).toHaveLength(1);
      expect(sent.filter((c) => textOf(c).startsWith(`<b>#${ticket.number} ·`))).toHaveLength(1);
    }
  }, 60_000);

  it('makes a deleted topic anew, with a fresh card, and posts there what failed', async () => {
    w = await startStaffGroupWorld();
    const { fake, t } = w;
    const customer = await signInAs(t, 'user');
    const agent = await signInAs(t, 'agent', { first_name: 'Artem' });
    const category = await addCategory(t);
    const ticket = await openTicket(t, customer, category, { title: 'Deleted topic' });
    const first = await threadOf(fake, ticket.number);
    await fake.waitFor('sendMessage', inTopic(first));
    fake.deleteTopicByUser(staffGroup, first);
    await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Anyone there?',
    });
    const recreated = await fake.waitFor(
      'createForumTopic',
      (c) =>
        String(c.params.name).startsWith(`#${ticket.number} `) &&
        (c.result as { message_thread_id: number }).message_thread_id !== first,
    );
    const second = (recreated.result as { message_thread_id: number }).message_thread_id;
    const card = await fake.waitFor('sendMessage', inTopic(second));
    expect(textOf(card)).toContain(`<b>#${ticket.number} · Deleted topic</b>`);
    await fake.waitFor(
      'sendMessage',
      (c) => inTopic(second)(c) && textOf(c).includes('Anyone there?'),
    );
    const [topic] = await t.container.database.db
      .select()
      .from(staffTopics)
      .where(eq(staffTopics.ticketId, ticket.id));
    expect(topic?.messageThreadId).toBe(second);
    // Staff answer in the new topic.
    const staff = groupMember(fake, { id: await telegramIdOf(t, agent.id), first_name: 'Artem' });
    staff.write(second, 'Here now');
    const customerChat = await telegramIdOf(t, customer.id);
    await fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === customerChat && textOf(c).includes('Here now'),
    );
  }, 60_000);

  it('logs and counts a group that refuses the bot, resting a minute between tries, then goes on', async () => {
    const lines: Record<string, unknown>[] = [];
    w = await startStaffGroupWorld({
      withBot: false,
      env: { LOG_LEVEL: 'warn' },
      logStream: {
        write(raw: string) {
          lines.push(JSON.parse(raw) as Record<string, unknown>);
        },
      },
    });
    const { fake, t, clock } = w;
    fake.setCanManageTopics(staffGroup, false);
    const customer = await signInAs(t, 'user');
    const category = await addCategory(t);
    const ticket = await openTicket(t, customer, category, { title: 'No rights' });
    await expect
      .poll(() => fake.calls.filter((c) => c.method === 'createForumTopic').length)
      .toBe(1);
    const refusedAt = clock.nowMs();
    await expect
      .poll(() => lines.find((line) => String(line.msg).includes('refuses the bot')))
      .toMatchObject({
        level: 50,
        description: 'Bad Request: not enough rights to create a topic',
      });
    const failures = await t.container.metrics.registry.getSingleMetricAsString(
      'ttb_staff_group_failures_total',
    );
    expect(failures).toContain('ttb_staff_group_failures_total{reason="refused"} 1');
    // Half a minute on, nothing was tried again.
    await expect.poll(() => clock.nowMs() - refusedAt > 30_000, { timeout: 10_000 }).toBe(true);
    expect(fake.calls.filter((c) => c.method === 'createForumTopic')).toHaveLength(1);
    fake.setCanManageTopics(staffGroup, true);
    await threadOf(fake, ticket.number);
  }, 60_000);
});

describe('posting across a restart', () => {
  const opened: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of opened.toReversed()) await close();
  });

  it('goes on where a stopped worker left off: every post once', async () => {
    const database = await openTestDatabase();
    opened.push(() => database.close());
    const clock = fastClock('2026-03-02T09:00:00Z', 20);
    const fake = await startFakeBotApi({ now: clock.nowMs });
    opened.push(() => fake.close());
    fake.addForumGroup(staffGroup);
    const first = await startStaffGroupWorld({ withBot: false, database, fake, clock });
    const customer = await signInAs(first.t, 'user');
    const category = await addCategory(first.t);
    const tickets: Awaited<ReturnType<typeof openTicket>>[] = [];
    for (let i = 0; i < 5; i += 1) {
      const ticket = await openTicket(first.t, customer, category, { title: `Restart ${i}` });
      await callAs(first.t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
        content: `restart note ${i}`,
      });
      tickets.push(ticket);
    }
    await expect.poll(() => fake.sent().filter(toGroup).length).toBeGreaterThanOrEqual(3);
    await first.close();
    const stoppedAt = fake.sent().filter(toGroup).length;
    expect(stoppedAt).toBeLessThan(15);
    const second = await startStaffGroupWorld({ withBot: false, database, fake, clock });
    opened.push(() => second.close());
    for (const [i, ticket] of tickets.entries()) {
      const threadId = await threadOf(fake, ticket.number);
      await fake.waitFor(
        'sendMessage',
        (c) => inTopic(threadId)(c) && textOf(c).includes(`restart note ${i}`),
        20_000,
      );
    }
    const sent = fake.sent().filter(toGroup);
    expect(sent).toHaveLength(15);
    for (const [i, ticket] of tickets.entries()) {
      expect(
        sent.filter(
          (c) =>
            c.method === 'createForumTopic' &&
            String(c.params.name).startsWith(`#${ticket.number} `),
        ),
      ).toHaveLength(1);
      expect(sent.filter((c) => textOf(c).includes(`restart note ${i}`))).toHaveLength(1);
    }
  }, 60_000);
});
