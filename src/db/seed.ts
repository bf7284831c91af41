import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './client.js';
import {
  auditLog,
  categories,
  messages,
  tickets,
  users,
  type TicketPriority,
  type TicketStatus,
  type UserRole,
} from './schema.js';

/** The Telegram ids of the demo users, one per role; demo sign-in picks by role. */
export const demoTelegramIds: Record<UserRole, number> = {
  user: 900_000_001,
  agent: 900_000_002,
  moderator: 900_000_003,
  admin: 900_000_004,
  owner: 900_000_005,
};

const demoPeople: { role: UserRole; first: string; last: string; username: string }[] = [
  { role: 'user', first: 'Alice', last: 'Customer', username: 'demo_alice' },
  { role: 'agent', first: 'Boris', last: 'Agent', username: 'demo_boris' },
  { role: 'moderator', first: 'Chen', last: 'Moderator', username: 'demo_chen' },
  { role: 'admin', first: 'Dana', last: 'Admin', username: 'demo_dana' },
  { role: 'owner', first: 'Egor', last: 'Owner', username: 'demo_egor' },
];

/** In English, with Russian names beside them: the Mini App shows each user their language's. */
const demoCategories = [
  ['Billing', '💳', '#34c759', 'Payments, invoices, refunds', 'Оплата', 'Платежи, счета, возвраты'],
  [
    'Technical issue',
    '🛠',
    '#ff9500',
    'Something is broken',
    'Техническая проблема',
    'Что-то сломалось',
  ],
  ['Account', '👤', '#007aff', 'Sign-in, profile, access', 'Аккаунт', 'Вход, профиль, доступ'],
  ['Feature request', '💡', '#af52de', 'Ideas and wishes', 'Пожелание', 'Идеи и пожелания'],
  ['Other', '💬', '#8e8e93', 'Anything else', 'Другое', 'Всё остальное'],
].map(([name, icon, color, description, russianName, russianDescription]) => ({
  name: name!,
  icon: icon!,
  color: color!,
  description: description!,
  translations: { ru: { name: russianName!, description: russianDescription! } },
}));

type DemoTicket = [
  category: number,
  title: string,
  description: string,
  status: TicketStatus,
  priority: TicketPriority,
  replies: string[],
];

const demoTickets: DemoTicket[] = [
  [
    0,
    'Charged twice for the March invoice',
    'My card shows two charges of $29 on 3 March. Please refund one.',
    'open',
    'high',
    [],
  ],
  [
    1,
    'App crashes when I upload a photo',
    'On Android 14 the app closes as soon as I pick a photo from the gallery.',
    'in_progress',
    'critical',
    ['Thanks for the report! Which phone model do you use?', 'Pixel 8, latest update.'],
  ],
  [
    2,
    'Cannot change my e-mail address',
    'The save button stays grey after I type the new address.',
    'waiting',
    'normal',
    ['Could you send a screenshot of the form?'],
  ],
  [
    3,
    'Dark theme for the dashboard',
    'It would be great if the dashboard followed the Telegram dark theme.',
    'open',
    'low',
    [],
  ],
  [
    1,
    'Notifications arrive late',
    'Replies reach me in Telegram about an hour after they are posted.',
    'resolved',
    'high',
    ['We fixed a delay in our queue; could you check again?', 'Works now, thank you!'],
  ],
  [
    0,
    'Need a VAT invoice',
    'Please issue an invoice with our company VAT number for last month.',
    'closed',
    'normal',
    ['Sent to your e-mail. Anything else?', 'All good, thanks.'],
  ],
  [
    4,
    'How do I export my tickets?',
    'I would like a copy of all my past tickets as a file.',
    'open',
    'low',
    [],
  ],
  [
    2,
    'Two-factor code never arrives',
    'I do not get the SMS code when signing in from a new device.',
    'in_progress',
    'high',
    ['We are checking with the SMS provider.'],
  ],
  [
    1,
    'Search does not find Russian words',
    'Searching for «оплата» returns nothing although I have such tickets.',
    'open',
    'normal',
    [],
  ],
  [
    0,
    'Refund for cancelled subscription',
    'I cancelled on the 1st but was charged on the 2nd.',
    'waiting',
    'normal',
    ['Could you confirm the last four digits of the card?'],
  ],
  [
    3,
    'Let agents pin important tickets',
    'Pinning would help us keep urgent cases on top.',
    'open',
    'low',
    [],
  ],
  [
    1,
    'Page is blank on an old iPad',
    'Safari 12 shows an empty page when I open the app.',
    'closed',
    'normal',
    ['That iOS version is too old, sorry. Please update Safari.'],
  ],
];

/** The status changes that brought a demo ticket to `resolved` or `closed`, by its agent. */
function resolutionEntries(
  ticket: { id: string; status: string; updatedAt: Date; closedAt: Date | null },
  agentId: string,
) {
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') return [];
  const change = (from: string, to: string, at: Date) => ({
    actorId: agentId,
    action: 'ticket.status_changed',
    entityType: 'ticket',
    entityId: ticket.id,
    ticketId: ticket.id,
    before: { status: from },
    after: { status: to },
    createdAt: at,
  });
  const resolved = change('in_progress', 'resolved', ticket.updatedAt);
  return ticket.closedAt ? [resolved, change('resolved', 'closed', ticket.closedAt)] : [resolved];
}

/**
 * Fills an empty database with demo data (demo mode only): categories, one user of every
 * role and a dozen tickets with conversations, so the first look is alive. Does nothing when
 * any user exists already, so it runs at every start without duplicating anything.
 */
export async function seedDemoData(db: Db, now = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Two instances starting at once must not both seed.
    await tx.execute(sql`select pg_advisory_xact_lock(727274003)`);
    const [existing] = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing) return false;

    const people = await tx
      .insert(users)
      .values(
        demoPeople.map((person) => ({
          telegramId: demoTelegramIds[person.role],
          firstName: person.first,
          lastName: person.last,
          username: person.username,
          role: person.role,
          languageCode: 'en',
        })),
      )
      .returning();
    const byRole = (role: UserRole) => people.find((person) => person.role === role)!;
    const customer = byRole('user');
    const agent = byRole('agent');

    const cats = await tx
      .insert(categories)
      .values(demoCategories.map((category, index) => ({ ...category, sortOrder: index })))
      .returning();

    // One statement per table, not one per row: this runs on a first start, where every
    // round trip into the embedded database is still slow.
    const hour = 3600_000;
    const ticketRows = demoTickets.map(
      ([category, title, description, status, priority, replies], index) => {
        const createdAt = new Date(now.getTime() - (demoTickets.length - index) * 7 * hour);
        return {
          // Made here, so messages and history can point at tickets inserted in the same batch.
          id: uuidv7(),
          userId: customer.id,
          assignedTo: status === 'open' ? null : agent.id,
          categoryId: cats[category]!.id,
          title,
          description,
          status,
          priority,
          createdAt,
          updatedAt: new Date(createdAt.getTime() + replies.length * hour),
          firstResponseAt: replies.length > 0 ? new Date(createdAt.getTime() + hour) : null,
          closedAt:
            status === 'closed'
              ? new Date(createdAt.getTime() + (replies.length + 1) * hour)
              : null,
        };
      },
    );
    // Numbers follow the order of the rows, as if the tickets had been opened one by one.
    await tx.insert(tickets).values(ticketRows);
    const messageRows = ticketRows.flatMap((ticket, index) =>
      demoTickets[index]![5].map((content, position) => ({
        id: uuidv7(),
        ticketId: ticket.id,
        userId: position % 2 === 0 ? agent.id : customer.id,
        content,
        createdAt: new Date(ticket.createdAt.getTime() + (position + 1) * hour),
      })),
    );
    await tx.insert(messages).values(messageRows);
    // The history starts with the ticket, as it would had it been opened in the app.
    await tx.insert(auditLog).values([
      ...ticketRows.map((ticket) => ({
        actorId: customer.id,
        action: 'ticket.created',
        entityType: 'ticket',
        entityId: ticket.id,
        ticketId: ticket.id,
        after: {
          title: ticket.title,
          description: ticket.description,
          priority: ticket.priority,
          category_id: ticket.categoryId,
        },
        createdAt: ticket.createdAt,
      })),
      ...messageRows.map((message) => ({
        actorId: message.userId,
        action: 'message.created',
        entityType: 'message',
        entityId: message.id,
        ticketId: message.ticketId,
        after: { content: message.content, is_internal: false },
        createdAt: message.createdAt,
      })),
      // A resolved or closed ticket was resolved by its agent (and then closed): the history
      // says so, and its customer can rate that resolution (`ratings/resolution-cycle.ts`).
      ...ticketRows.flatMap((ticket) => resolutionEntries(ticket, agent.id)),
    ]);
    return true;
  });
}
