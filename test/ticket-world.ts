import type { z } from 'zod';
import type { UserRole } from '../src/db/schema.js';
import type { DomainEvent } from '../src/events/domain-events.js';
import type { pageSchema } from '../src/http/list-query.js';
import { createTestApp, type TestApp } from './app.js';
import { addCategory, signInAs, signInEveryRole, type Person } from './people.js';

/** A page of a list, as `pageSchema` (src/http/list-query.ts) declares every list's reply. */
export type Page<T> = z.infer<ReturnType<typeof pageSchema<z.ZodType<T>>>>;

/** An app with someone of every role, a stranger to their tickets, and one category. */
export interface TicketWorld {
  t: TestApp;
  people: Record<UserRole, Person>;
  /** A second plain user, who owns none of `people.user`'s tickets. */
  stranger: Person;
  category: string;
  /** Every domain event published since the start, in order. */
  events: DomainEvent[];
}

/**
 * Starts the app with what the ticket and message API suites need, so that each checks
 * who may do what on the same cast of people.
 */
export async function startTicketWorld(categoryName: string): Promise<TicketWorld> {
  const t = await createTestApp();
  const people = await signInEveryRole(t);
  const stranger = await signInAs(t, 'user', { first_name: 'Stranger' });
  const category = await addCategory(t, { name: categoryName });
  const events: DomainEvent[] = [];
  await t.container.events.subscribe((event) => events.push(event));
  return { t, people, stranger, category, events };
}
