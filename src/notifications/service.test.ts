import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications } from '../db/schema.js';
import type { JobQueue } from '../platform/queue.js';
import { createLogger } from '../platform/logger.js';
import type { UserService } from '../users/service.js';
import {
  createNotificationService,
  deliveryQueue,
  type NotificationService,
  type TicketFacts,
} from './service.js';

describe('notifications written by a change, as one batch', () => {
  let t: TestApp;
  let customer: Person;
  let category: string;
  let service: NotificationService;
  /** What the service asked of the queue and the users service, call by call. */
  let calls: { send: number; sendMany: number[]; wake: string[]; profileReads: number };

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    // The queue only, no workers: jobs stay queued, and nothing but the service wakes anyone.
    await t.container.queue.start();
    customer = await signInAs(t, 'user');
    for (let i = 0; i < 4; i += 1) await signInAs(t, 'agent');
    category = await addCategory(t);
    const queue = t.container.queue;
    const counting: JobQueue = {
      ...queue,
      send(name, data, options) {
        calls.send += 1;
        return queue.send(name, data, options);
      },
      sendMany(name, data, options) {
        calls.sendMany.push(data.length);
        return queue.sendMany(name, data, options);
      },
      wake(name) {
        calls.wake.push(name);
        queue.wake(name);
      },
    };
    const users: UserService = {
      ...t.container.users,
      deliveryProfiles(tx, ids) {
        calls.profileReads += 1;
        return t.container.users.deliveryProfiles(tx, ids);
      },
    };
    service = createNotificationService({
      db: t.container.database.db,
      queue: counting,
      clock: t.container.clock,
      users,
      logger: createLogger('silent'),
      followUpWindowMs: 60_000,
      settings: t.container.settings,
    });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    calls = { send: 0, sendMany: [], wake: [], profileReads: 0 };
  });

  const staffIds = () => t.container.users.activeStaffIds(t.container.database.db);

  /** Opens a ticket through the API; what notifications know of it. */
  async function openFacts(title: string): Promise<TicketFacts> {
    const description = 'It hums.';
    const ticket = await openTicket(t, customer, category, { title, description });
    return {
      id: ticket.id,
      number: ticket.number,
      title,
      description,
      userId: ticket.user_id,
      assignedTo: null,
      categoryId: category,
      status: 'open',
    };
  }

  it('queues every recipient’s delivery in one insert and wakes the workers once, after commit', async () => {
    const staff = (await staffIds()).length;
    await t.container.uow.run(async (work) => {
      await service.notifyStaff(work, { type: 'system', title: 'Disk full', content: 'x' });
      expect(calls.wake).toEqual([]);
    });
    expect(calls).toEqual({
      send: 0,
      sendMany: [staff],
      wake: [deliveryQueue],
      profileReads: 1,
    });
  });

  it('writes a reminder run about many tickets as one batch: one profile read, one insert, one wake', async () => {
    const tickets = [await openFacts('First'), await openFacts('Second'), await openFacts('Third')];
    const staff = await staffIds();
    calls = { send: 0, sendMany: [], wake: [], profileReads: 0 };
    await t.container.uow.run((work) =>
      service.remind(
        work,
        tickets.map((ticket) => ({ ticket, recipientIds: staff })),
        24,
      ),
    );
    expect(calls).toEqual({
      send: 0,
      sendMany: [3 * staff.length],
      wake: [deliveryQueue],
      profileReads: 1,
    });
  });

  it('wakes nobody, and leaves no row, when the change rolls back', async () => {
    await expect(
      t.container.uow.run(async (work) => {
        await service.notifyStaff(work, { type: 'system', title: 'Rolled back', content: 'x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(calls.wake).toEqual([]);
    const rows = await t.container.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.title, 'Rolled back'));
    expect(rows).toEqual([]);
  });
});
