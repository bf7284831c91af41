import type { UserRole } from '../src/db/schema.js';
import { and, eq } from 'drizzle-orm';
import { categories, notifications } from '../src/db/schema.js';
import type { Principal } from '../src/auth/service.js';
import type { TestApp } from './app.js';
import { bearer, signIn } from './app.js';

/** A signed-in test user: their id, role and ready-made Authorization header. */
export interface Person {
  id: string;
  role: UserRole;
  token: string;
  headers: { authorization: string };
}

let nextTelegramId = 6_000_000;

/**
 * Signs a new Telegram user in and gives them `role` (set directly in the users service, as
 * an owner would through the API), returning what a test needs to act as them.
 */
export async function signInAs(
  t: TestApp,
  role: UserRole,
  profile: {
    first_name?: string;
    username?: string;
    last_name?: string;
    language_code?: string;
  } = {},
): Promise<Person> {
  nextTelegramId += 1;
  const pair = await signIn(t, { id: nextTelegramId, first_name: 'Test', ...profile });
  if (role !== 'user') await t.container.users.setRole(pair.user.id, role);
  return { id: pair.user.id, role, token: pair.access_token, headers: bearer(pair.access_token) };
}

/** One signed-in person of every role. */
export async function signInEveryRole(t: TestApp): Promise<Record<UserRole, Person>> {
  return {
    user: await signInAs(t, 'user', { first_name: 'Ulla' }),
    agent: await signInAs(t, 'agent', { first_name: 'Artem' }),
    moderator: await signInAs(t, 'moderator', { first_name: 'Mira' }),
    admin: await signInAs(t, 'admin', { first_name: 'Adam' }),
    owner: await signInAs(t, 'owner', { first_name: 'Olga' }),
  };
}

/** Adds a category straight into the database and returns its id. */
export async function addCategory(
  t: TestApp,
  fields: { name?: string; isActive?: boolean } = {},
): Promise<string> {
  const [row] = await t.container.database.db
    .insert(categories)
    .values({
      name: fields.name ?? `Category ${Math.random().toString(36).slice(2, 8)}`,
      isActive: fields.isActive ?? true,
    })
    .returning({ id: categories.id });
  if (!row) throw new Error('no category inserted');
  // Written past the categories service: its lists in memory would not know.
  t.container.categories.forgetLists();
  return row.id;
}

/** Opens a ticket through the API as `person` and returns its body. */
export async function openTicket(
  t: TestApp,
  person: Person,
  categoryId: string,
  fields: { title?: string; description?: string; priority?: string } = {},
): Promise<{ id: string; number: number; status: string; user_id: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: person.headers,
    payload: {
      category_id: categoryId,
      title: fields.title ?? 'Printer does not print',
      description: fields.description ?? 'Nothing comes out since Monday.',
      ...(fields.priority ? { priority: fields.priority } : {}),
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`opening a ticket failed: ${response.statusCode} ${response.body}`);
  }
  return response.json();
}

/** An HTTP method the API answers. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Sends a request to `/api/v1<url>` as `person`, with a JSON body when one is given. */
export function callAs(t: TestApp, person: Person, method: Method, url: string, payload?: object) {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: person.headers,
    ...(payload ? { payload } : {}),
  });
}

/** The title of the notice `person` got of `ticketId`'s opening, if they got one. */
export async function newTicketNoticeOf(t: TestApp, person: Person, ticketId: string) {
  const [row] = await t.container.database.db
    .select({ title: notifications.title })
    .from(notifications)
    .where(
      and(
        eq(notifications.ticketId, ticketId),
        eq(notifications.userId, person.id),
        eq(notifications.type, 'ticket_created'),
      ),
    );
  return row?.title;
}

/** `person` as the services take them (a principal without a session). */
export function principalOf(person: { id: string; role: Principal['role'] }): Principal {
  return { userId: person.id, role: person.role, sessionId: '' };
}
