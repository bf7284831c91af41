import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import {
  addCategory,
  callAs,
  newTicketNoticeOf,
  openTicket,
  signInAs,
  type Person,
} from '../../test/people.js';
import { textsFor } from '../notifications/texts.js';

// The active staff are kept in memory (`staff-cache.ts`): every change that decides who hears of
// a new ticket, and how, must reach the very next ticket.
describe('the staff who hear of a new ticket, kept in memory', () => {
  let t: TestApp;
  let owner: Person;
  let agent: Person;
  let customer: Person;
  let category: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signInAs(t, 'owner');
    agent = await signInAs(t, 'agent', { language_code: 'en' });
    customer = await signInAs(t, 'user');
    category = await addCategory(t);
  });
  afterAll(() => t.close());

  /** Opens a ticket as the customer; the title of the agent's notice of it, if any. */
  async function agentsNotice(): Promise<string | undefined> {
    const ticket = await openTicket(t, customer, category);
    return newTicketNoticeOf(t, agent, ticket.id);
  }

  async function ownerSets(url: string, payload: object): Promise<void> {
    const response = await callAs(t, owner, 'PUT', url, payload);
    expect(response.statusCode, response.body).toBe(200);
  }

  it('stops telling an agent made a customer, and tells them again once staff', async () => {
    expect(await agentsNotice()).toBeDefined();
    await ownerSets(`/users/${agent.id}/role`, { role: 'user' });
    expect(await agentsNotice()).toBeUndefined();
    await ownerSets(`/users/${agent.id}/role`, { role: 'agent' });
    expect(await agentsNotice()).toBeDefined();
  });

  it('stops telling a blocked agent, and tells them again once unblocked', async () => {
    expect(await agentsNotice()).toBeDefined();
    await ownerSets(`/users/${agent.id}/status`, { is_active: false });
    expect(await agentsNotice()).toBeUndefined();
    await ownerSets(`/users/${agent.id}/status`, { is_active: true });
    expect(await agentsNotice()).toBeDefined();
  });

  it('writes the next notice in the language the agent has just chosen', async () => {
    const ticket = await openTicket(t, customer, category);
    expect(await newTicketNoticeOf(t, agent, ticket.id)).toBe(
      textsFor('en').ticket_created(ticket.number),
    );
    const chosen = await callAs(t, agent, 'PUT', '/auth/profile', { language_code: 'ru' });
    expect(chosen.statusCode).toBe(200);
    const next = await openTicket(t, customer, category);
    expect(await newTicketNoticeOf(t, agent, next.id)).toBe(
      textsFor('ru').ticket_created(next.number),
    );
  });

  it('knows at once that Telegram no longer reaches a staff member, and again that it does', async () => {
    const blockedAt = (await t.container.users.activeStaffProfiles()).find(
      (profile) => profile.id === agent.id,
    )?.botBlockedAt;
    expect(blockedAt).toBeNull();
    const at = t.container.clock.now();
    await t.container.users.markBotBlocked(agent.id, at);
    const profile = (await t.container.users.activeStaffProfiles()).find((p) => p.id === agent.id);
    expect(profile?.botBlockedAt).toEqual(at);
    await t.container.users.markBotReachable(agent.id);
    const again = (await t.container.users.activeStaffProfiles()).find((p) => p.id === agent.id);
    expect(again?.botBlockedAt).toBeNull();
  });
});
