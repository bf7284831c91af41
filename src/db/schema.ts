import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  smallint,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { v7 as uuidv7 } from 'uuid';

/** Roles in ascending order of power; see `auth/permissions.ts`. */
export const userRoles = ['user', 'agent', 'moderator', 'admin', 'owner'] as const;
export const ticketStatuses = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export const ticketPriorities = ['low', 'normal', 'high', 'critical'] as const;
export const notificationTypes = [
  'ticket_created',
  'ticket_assigned',
  'new_message',
  'status_changed',
  'reminder',
  'broadcast',
  'system',
] as const;
export const scanStatuses = ['pending', 'clean', 'infected', 'skipped'] as const;
/** Where a ticket stands against its service level targets (`sla/sla-state.ts`). */
export const slaStates = ['ok', 'warning', 'breached', 'met', 'paused'] as const;

export type UserRole = (typeof userRoles)[number];
export type TicketStatus = (typeof ticketStatuses)[number];
export type TicketPriority = (typeof ticketPriorities)[number];
export type NotificationType = (typeof notificationTypes)[number];
export type SlaState = (typeof slaStates)[number];

export const userRole = pgEnum('user_role', userRoles);
export const ticketStatus = pgEnum('ticket_status', ticketStatuses);
export const ticketPriority = pgEnum('ticket_priority', ticketPriorities);
export const notificationType = pgEnum('notification_type', notificationTypes);
export const scanStatus = pgEnum('scan_status', scanStatuses);
export const slaState = pgEnum('sla_state', slaStates);

/** A daily span of local time ("HH:MM", may wrap midnight) in the support time zone. */
export interface QuietHours {
  start: string;
  end: string;
}

/**
 * Per-user notification preferences, stored as JSON on the user row. Rows written before quiet
 * hours and the digest existed lack those keys: absent means off (`users/schemas.ts`).
 */
export interface NotificationSettings {
  /** Notification kinds the user does not want delivered to Telegram. */
  muted_types: NotificationType[];
  /** When Telegram messages are held, to be sent as it ends (`notifications/quiet-hours.ts`). */
  quiet_hours?: QuietHours | null;
  /** Staff: one daily message listing overdue tickets instead of one reminder each. */
  digest?: boolean;
}

/** A PostgreSQL `tsvector`: the full-text search document of a row. */
const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector',
});

/**
 * Millisecond timestamps: JavaScript dates hold milliseconds, so a value read back and sent as a
 * page cursor compares equal to the stored one.
 */
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * The search document of a text: the words as written (for prefix matches as you type) plus
 * their Russian and English stems (so «принтеры» finds «принтер» and "printers" finds "printer").
 */
const searchDocument = (text: ReturnType<typeof sql>) =>
  sql`to_tsvector('simple'::regconfig, ${text}) || to_tsvector('russian'::regconfig, ${text}) || to_tsvector('english'::regconfig, ${text})`;

const id = () =>
  uuid('id')
    .primaryKey()
    .$defaultFn(() => uuidv7());
const createdAt = () => timestampMs('created_at').notNull().defaultNow();
const updatedAt = () => timestampMs('updated_at').notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: id(),
    telegramId: bigint('telegram_id', { mode: 'number' }).notNull(),
    username: text('username'),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name'),
    role: userRole('role').notNull().default('user'),
    isActive: boolean('is_active').notNull().default(true),
    /** The Mini App's `photo_url` from the last sign-in, a source for the avatar (`avatarKey`). */
    avatarUrl: text('avatar_url'),
    /** Blob-store key of the small WebP avatar (`users/avatars.ts`); null when none was found. */
    avatarKey: text('avatar_key'),
    /** When the avatar was last looked for, found or not: refreshed at most daily. */
    avatarFetchedAt: timestamp('avatar_fetched_at', { withTimezone: true }),
    languageCode: text('language_code'),
    /** Set once the user picks a language themself; Telegram's then no longer overrides it. */
    languageChosen: boolean('language_chosen').notNull().default(false),
    isPremium: boolean('is_premium').notNull().default(false),
    /** Staff on duty hear of new tickets when routing is `on_duty` (`settings/`). */
    onDuty: boolean('on_duty').notNull().default(true),
    notificationSettings: jsonb('notification_settings')
      .$type<NotificationSettings>()
      .notNull()
      .default({ muted_types: [] }),
    /** Set when Telegram answered 403: the user blocked the bot, so we stop sending. */
    botBlockedAt: timestamp('bot_blocked_at', { withTimezone: true }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Generated from the names, for the staff's user search. */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(
        (): ReturnType<typeof sql> =>
          sql`to_tsvector('simple'::regconfig, coalesce(${users.username}, '') || ' ' || ${users.firstName} || ' ' || coalesce(${users.lastName}, ''))`,
      ),
  },
  (t) => [
    uniqueIndex('users_telegram_id_key').on(t.telegramId),
    index('users_username_lower_idx').on(sql`lower(${t.username})`),
    index('users_role_idx').on(t.role, t.createdAt),
    index('users_created_idx').on(t.createdAt, t.id),
    index('users_search_idx').using('gin', t.searchVector),
  ],
);

/** A category's name, and optionally description, in other languages, by language code. */
export type CategoryTranslations = Record<string, { name: string; description?: string }>;

export const categories = pgTable(
  'categories',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    icon: text('icon').notNull().default(''),
    color: text('color').notNull().default('#8e8e93'),
    isActive: boolean('is_active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    /** `{"ru": {"name": "Оплата", "description": "…"}}`: what clients show in that language. */
    translations: jsonb('translations').$type<CategoryTranslations>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('categories_active_sort_idx').on(t.isActive, t.sortOrder),
    uniqueIndex('categories_name_key').on(sql`lower(${t.name})`),
  ],
);

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    /** The short human number shown as #123. */
    number: integer('number').notNull().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    assignedTo: uuid('assigned_to').references(() => users.id, { onDelete: 'set null' }),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => categories.id),
    title: text('title').notNull(),
    description: text('description').notNull(),
    status: ticketStatus('status').notNull().default('open'),
    priority: ticketPriority('priority').notNull().default('normal'),
    /** When staff first answered; feeds first-response analytics. */
    firstResponseAt: timestampMs('first_response_at'),
    /** Where it was opened (`stats/schemas.ts`); `unknown` for tickets from before it was kept. */
    channel: text('channel', { enum: ['telegram', 'mini_app', 'api', 'unknown'] })
      .notNull()
      .default('unknown'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    closedAt: timestampMs('closed_at'),
    // Service levels (`sla/`): kept by the tickets service with every change, and by the SLA job.
    /** When the current SLA cycle began: at creation, or when a customer reopened it. */
    slaStartedAt: timestampMs('sla_started_at'),
    /** Support minutes spent waiting on the customer in this cycle (targets move by them). */
    slaPausedMinutes: doublePrecision('sla_paused_minutes').notNull().default(0),
    /** Since when the ticket waits on the customer (status `waiting`); null: not paused. */
    slaPausedAt: timestampMs('sla_paused_at'),
    /** The first public staff answer of this cycle (meets or misses the first response). */
    slaRespondedAt: timestampMs('sla_responded_at'),
    firstResponseDueAt: timestampMs('first_response_due_at'),
    firstResponseWarnAt: timestampMs('first_response_warn_at'),
    resolutionDueAt: timestampMs('resolution_due_at'),
    resolutionWarnAt: timestampMs('resolution_warn_at'),
    /** Null when the priority has no target. */
    slaState: slaState('sla_state'),
    /** The next instant the state must be looked at again (the SLA job); null: never. */
    slaCheckAt: timestampMs('sla_check_at'),
    /** The next pending due time, the list's `due_at` sort key: far future when none is pending. */
    slaDueAt: timestampMs('sla_due_at')
      .notNull()
      .default(sql`'9999-12-31T00:00:00Z'`),
    /** Generated from title and description; see `searchDocument`. */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs((): ReturnType<typeof sql> =>
        searchDocument(sql`${tickets.title} || ' ' || ${tickets.description}`),
      ),
  },
  (t) => [
    uniqueIndex('tickets_number_key').on(t.number),
    // One index per list path: each sort key, and each filter followed by the default sort.
    index('tickets_created_idx').on(t.createdAt, t.id),
    index('tickets_updated_idx').on(t.updatedAt, t.id),
    index('tickets_priority_created_idx').on(t.priority, t.createdAt, t.id),
    index('tickets_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('tickets_status_created_idx').on(t.status, t.createdAt, t.id),
    index('tickets_assignee_created_idx').on(t.assignedTo, t.createdAt, t.id),
    index('tickets_assignee_status_idx').on(t.assignedTo, t.status, t.createdAt),
    index('tickets_category_created_idx').on(t.categoryId, t.createdAt, t.id),
    index('tickets_search_idx').using('gin', t.searchVector),
    index('tickets_sla_state_created_idx').on(t.slaState, t.createdAt, t.id),
    index('tickets_sla_due_idx').on(t.slaDueAt, t.id),
    index('tickets_sla_check_idx')
      .on(t.slaCheckAt)
      .where(sql`${t.slaCheckAt} is not null`),
  ],
);

/**
 * The SLA notices sent: one row per ticket, cycle, target and level, so each is sent once
 * however many workers look (`sla/service.ts`).
 */
export const slaAlerts = pgTable(
  'sla_alerts',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    cycleStartedAt: timestampMs('cycle_started_at').notNull(),
    target: text('target', { enum: ['first_response', 'resolution'] }).notNull(),
    level: text('level', { enum: ['warning', 'breached'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.cycleStartedAt, t.target, t.level] })],
);

/**
 * Who was sent the scheduled report of which period (`reports/scheduled.ts`): a row is claimed
 * before the send, so two workers never both send one person the same period's report.
 */
export const scheduledReportDeliveries = pgTable(
  'scheduled_report_deliveries',
  {
    periodFrom: timestampMs('period_from').notNull(),
    periodTo: timestampMs('period_to').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.periodFrom, t.periodTo, t.userId] })],
);

/**
 * How many tickets have each status, priority, category and assignee: the staff's ticket counts
 * read from here instead of counting every ticket (`tickets/queries.ts`). Kept by the trigger
 * `ticket_counts_follow` on `tickets` (migration 0009), in the transaction of each change.
 */
export const ticketCounts = pgTable(
  'ticket_counts',
  {
    status: ticketStatus('status').notNull(),
    priority: ticketPriority('priority').notNull(),
    categoryId: uuid('category_id').notNull(),
    assignedTo: uuid('assigned_to'),
    tickets: bigint('tickets', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    unique('ticket_counts_key')
      .on(t.status, t.priority, t.categoryId, t.assignedTo)
      .nullsNotDistinct(),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull(),
    isInternal: boolean('is_internal').notNull().default(false),
    createdAt: createdAt(),
    editedAt: timestampMs('edited_at'),
  },
  (t) => [
    index('messages_ticket_created_idx').on(t.ticketId, t.createdAt, t.id),
    index('messages_user_created_idx').on(t.userId, t.createdAt),
    /** The messages of the parts of hours the staff table reads raw (`stats/staff-facts.ts`). */
    index('messages_created_idx').on(t.createdAt),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    uploaderId: uuid('uploader_id')
      .notNull()
      .references(() => users.id),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    storageKey: text('storage_key').notNull(),
    previewKey: text('preview_key'),
    scanStatus: scanStatus('scan_status').notNull().default('pending'),
    /**
     * When it was put in a message or named in a new ticket; null while it waits (uploaded
     * alone, or to a ticket but not yet sent): waiting uploads are capped and purged after 24 h.
     */
    attachedAt: timestamp('attached_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_ticket_idx').on(t.ticketId),
    index('attachments_message_idx').on(t.messageId),
    index('attachments_waiting_idx')
      .on(t.uploaderId, t.createdAt)
      .where(sql`${t.attachedAt} is null`),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    type: notificationType('type').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    isRead: boolean('is_read').notNull().default(false),
    /** When the Telegram message went out; null while queued or when muted. */
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /**
     * When a worker took this row to send it: a lease, so two workers never send the same row
     * at once; a worker that died mid-send leaves it to expire.
     */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /**
     * When delivery was given up for good (Telegram refused the chat, the user blocked the bot,
     * muted the kind or cannot be told): a start-up sweep never queues it again.
     */
    givenUpAt: timestamp('given_up_at', { withTimezone: true }),
    /** The broadcast this notification carries, for its progress report. */
    broadcastId: uuid('broadcast_id').references(() => broadcasts.id, { onDelete: 'cascade' }),
    /**
     * How many of a customer's follow-ups on an unassigned ticket this one notice counts (they
     * are gathered into it for a while: `notifications/service.ts`); null for any other notice.
     */
    messageCount: integer('message_count'),
    /** The count the Telegram message shows: below `message_count` while an edit is owed. */
    shownCount: integer('shown_count'),
    /** The Telegram message that carries it, once sent, so that it can be edited in place. */
    telegramMessageId: bigint('telegram_message_id', { mode: 'number' }),
    /**
     * It tells staff something customers must not see (an internal note, a malware alert): a
     * reply to its Telegram message is an internal note too (`bot/features/chat-replies.ts`).
     */
    internal: boolean('internal').notNull().default(false),
    /**
     * The ticket message it tells of (a `new_message` notice of one message), so an edit or a
     * deletion of that message reaches the Telegram copy (`notifications/copy-sync.ts`).
     */
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_message_idx')
      .on(t.messageId)
      .where(sql`${t.messageId} is not null`),
    index('notifications_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('notifications_broadcast_idx')
      .on(t.broadcastId)
      .where(sql`${t.broadcastId} is not null`),
    index('notifications_ticket_type_idx').on(t.ticketId, t.type, t.createdAt),
    index('notifications_user_unread_idx')
      .on(t.userId)
      .where(sql`not ${t.isRead}`),
    // The rows being sent, for the sweep of lapsed claims (a few rows, looked at every 5 s).
    index('notifications_claimed_idx')
      .on(t.claimedAt)
      .where(sql`${t.claimedAt} is not null`),
  ],
);

/**
 * A message an admin sent to every user through the bot. Each recipient gets a `broadcast`
 * notification (delivered by the notification worker); the counts here are the final report.
 */
export const broadcasts = pgTable('broadcasts', {
  id: id(),
  authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
  text: text('text').notNull(),
  /** `sending` until every recipient's notification is delivered or given up, then `done`. */
  status: text('status', { enum: ['sending', 'done'] })
    .notNull()
    .default('sending'),
  /** Recipients when it started; `blocked` of them had blocked the bot and got nothing. */
  total: integer('total').notNull().default(0),
  sent: integer('sent').notNull().default(0),
  failed: integer('failed').notNull().default(0),
  blocked: integer('blocked').notNull().default(0),
  /** The admin's chat and the status message edited with the progress. */
  chatId: bigint('chat_id', { mode: 'number' }),
  statusMessageId: integer('status_message_id'),
  createdAt: createdAt(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * A bot message about a ticket (a notification, a confirmation), so a reply to it in the chat
 * lands on that ticket. Read and written only through `telegram/ticket-messages.ts`.
 */
export const telegramTicketMessages = pgTable(
  'telegram_ticket_messages',
  {
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    messageId: integer('message_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** The message is staff-only (an internal note's notice): a reply to it stays internal. */
    internal: boolean('internal').notNull().default(false),
    /**
     * The ticket message this Telegram message became, when it is one the user wrote (a reply or
     * a message in the ticket's topic): their edit in Telegram edits it
     * (`bot/features/telegram-edits.ts`).
     */
    ticketMessageId: uuid('ticket_message_id').references(() => messages.id, {
      onDelete: 'cascade',
    }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.messageId] }),
    index('telegram_ticket_messages_ticket_idx').on(t.ticketId),
  ],
);

/** Where a customer topic stands (`customer-topics/service.ts`). */
export const customerTopicStates = ['pending', 'open', 'failed'] as const;
export type CustomerTopicState = (typeof customerTopicStates)[number];

/**
 * A ticket's topic in its author's private chat with the bot (Bot API 9.4, where the bot has
 * topics in private chats): `pending` until a worker creates it, `open` with its thread, or
 * `failed` when Telegram refused it (the ticket's messages then go to the main chat). A topic the
 * user deleted goes back to `pending` and is made again. Written only by
 * `customer-topics/service.ts`.
 */
export const customerTopics = pgTable(
  'customer_topics',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** The ticket's author, whose chat holds the topic. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: text('state', { enum: customerTopicStates }).notNull().default('pending'),
    chatId: bigint('chat_id', { mode: 'number' }),
    messageThreadId: integer('message_thread_id'),
    /** The ticket card at the top of the topic, once sent. */
    cardMessageId: integer('card_message_id'),
    /** A worker creating the topic holds it until then (a lease: one topic per ticket). */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customer_topics_thread_idx')
      .on(t.chatId, t.messageThreadId)
      .where(sql`${t.messageThreadId} is not null`),
  ],
);

/**
 * Bot state that must survive a restart (a half-filled `/support` form, a broadcast draft):
 * grammY session and conversation storage, one JSON value per key.
 */
export const botState = pgTable('bot_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A signed-in device. Access tokens carry its id; revoking it ends them at once. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Every refresh token ever issued, hashed; a spent one presented again revokes its session. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id').notNull(),
    /** The ticket a change belongs to (the ticket itself, or its message), for its history. */
    ticketId: uuid('ticket_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entityType, t.entityId, t.createdAt),
    index('audit_log_actor_idx').on(t.actorId, t.createdAt),
    index('audit_log_ticket_idx').on(t.ticketId, t.createdAt, t.id),
    /** The assignments of the parts of hours the staff table reads raw (`stats/staff-facts.ts`). */
    index('audit_log_assigned_idx')
      .on(t.createdAt)
      .where(sql`${t.entityType} = 'ticket' and ${t.action} = 'ticket.assigned'`),
  ],
);

/**
 * Admin-editable settings (`settings/service.ts`), one row per group (`support_hours`,
 * `reminders`, …) holding that group's JSON. A group without a row follows its default from the
 * environment, so a new group needs no migration and an unsaved one keeps tracking the env.
 */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestampMs('updated_at').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
});

/**
 * The forum topic of a ticket in the staff group (`threads/`): which group, which topic, and
 * what the topic shows now (name, icon, closed), so a change edits only what differs. A deleted
 * topic is replaced: the row then names the new one.
 */
export const staffTopics = pgTable(
  'staff_topics',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    messageThreadId: integer('message_thread_id').notNull(),
    name: text('name').notNull(),
    iconCustomEmojiId: text('icon_custom_emoji_id'),
    closed: boolean('closed').notNull().default(false),
    /** The ticket's card, the topic's first message (its buttons act on the ticket). */
    cardMessageId: integer('card_message_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.chatId] }),
    uniqueIndex('staff_topics_thread_idx').on(t.chatId, t.messageThreadId),
  ],
);

/** What a post to the staff group carries (`threads/outbox.ts`). */
export const staffPostKinds = ['topic', 'message', 'change'] as const;
export type StaffPostKind = (typeof staffPostKinds)[number];

/**
 * The staff group's outbox: posts to make in a ticket's topic, written in the change's
 * transaction and sent in order by the paced sender (`threads/sender.ts`). A waiting `change`
 * is coalesced with the next change of the same ticket. `progress` counts the Telegram calls a
 * post has made, so a post cut short goes on where it stopped.
 */
export const staffPosts = pgTable(
  'staff_posts',
  {
    id: id(),
    /** The order posts are made in (one sequence, whichever process wrote them). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<StaffPostKind>().notNull(),
    payload: jsonb('payload').notNull(),
    progress: integer('progress').notNull().default(0),
    claimedAt: timestampMs('claimed_at'),
    sentAt: timestampMs('sent_at'),
    /** Given up for good (no staff group any more, or Telegram refused it for good). */
    givenUpAt: timestampMs('given_up_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('staff_posts_pending_idx')
      .on(t.seq)
      .where(sql`${t.sentAt} is null and ${t.givenUpAt} is null`),
    index('staff_posts_ticket_idx').on(t.ticketId),
  ],
);

/**
 * The staff group's pace, shared by every worker process: the earliest time its next Telegram
 * call may go out (one row per group). One row-locked UPDATE takes a turn, so no two processes
 * take the same one, and a 429 moves it by `retry_after` for everyone.
 */
export const staffGroupPace = pgTable('staff_group_pace', {
  chatId: bigint('chat_id', { mode: 'number' }).primaryKey(),
  nextAt: timestampMs('next_at').notNull(),
});

/**
 * A customer's rating of one resolution of their ticket (`ratings/service.ts`, the only writer):
 * one row per resolution, named by the audit entry that resolved it, so a ticket resolved,
 * reopened and resolved again is rated again. Changeable for a day after `created_at`. The
 * ticket's current category, priority and assignee are copied on by triggers (migration 0023)
 * for the statistics' CSAT rollup (`stats_csat_hourly`).
 */
export const ticketRatings = pgTable(
  'ticket_ratings',
  {
    id: id(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** The `audit_log` entry of the status change that resolved the ticket (the cycle). */
    resolutionId: uuid('resolution_id').notNull(),
    /** When that resolution happened. */
    resolvedAt: timestampMs('resolved_at').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    score: integer('score').notNull(),
    comment: text('comment'),
    /** When the rating was first given: it may change until a day after. */
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The ticket's category, priority and assignee as they stand now (triggers of migration 0023). */
    categoryId: uuid('category_id'),
    priority: ticketPriority('priority'),
    assignedTo: uuid('assigned_to'),
  },
  (t) => [
    unique('ticket_ratings_resolution_key').on(t.ticketId, t.resolutionId),
    /** CSAT of a period (`stats/`). */
    index('ticket_ratings_created_idx').on(t.createdAt),
    check('ticket_ratings_score_check', sql`${t.score} between 1 and 5`),
  ],
);

/**
 * One cycle of a ticket for the statistics (`stats/`): from its creation, or a reopen, to its
 * resolution (resolved, or closed without being resolved), with the facts the figures read,
 * written by the stats recorder in the transaction of each ticket change. The ticket's current
 * category, priority, assignee and channel are copied onto each of its cycles, so a filtered
 * figure reads one table.
 */
export const ticketCycles = pgTable(
  'ticket_cycles',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** 1 for the cycle that began at creation, then 2, 3… for each reopen. */
    seq: integer('seq').notNull(),
    startedAt: timestampMs('started_at').notNull(),
    /** The resolution: the move to resolved, or to closed without passing resolved. */
    endedAt: timestampMs('ended_at'),
    /** The move to closed within this cycle (at its end, or later from resolved). */
    closedAt: timestampMs('closed_at'),
    /** The assignee when the cycle ended. */
    endedAssignee: uuid('ended_assignee'),
    firstResponseAt: timestampMs('first_response_at'),
    firstResponderId: uuid('first_responder_id'),
    /** Support-hours seconds from the start to the first answer. */
    firstResponseSupportS: integer('first_response_support_s'),
    /** Support-hours seconds from the start to the end, less those spent waiting. */
    resolutionSupportS: integer('resolution_support_s'),
    /** Since when the ticket waits on the customer; null when not waiting. */
    waitingSince: timestampMs('waiting_since'),
    /** Support-hours seconds spent waiting on the customer so far. */
    waitingSupportS: integer('waiting_support_s').notNull().default(0),
    /** The SLA due times of the cycle as they stand (null: no target). */
    firstResponseDueAt: timestampMs('first_response_due_at'),
    resolutionDueAt: timestampMs('resolution_due_at'),
    categoryId: uuid('category_id').notNull(),
    priority: ticketPriority('priority').notNull(),
    assignedTo: uuid('assigned_to'),
    channel: text('channel', { enum: ['telegram', 'mini_app', 'api', 'unknown'] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.seq] }),
    index('ticket_cycles_started_idx').on(t.startedAt),
    index('ticket_cycles_ended_idx').on(t.endedAt),
    index('ticket_cycles_closed_idx').on(t.closedAt),
    index('ticket_cycles_first_response_idx').on(t.firstResponseAt),
    index('ticket_cycles_active_idx')
      .on(t.startedAt)
      .where(sql`${t.endedAt} is null`),
    // The SLA decisions of a period's edges are found by their due times too.
    index('ticket_cycles_first_response_due_idx').on(t.firstResponseDueAt),
    index('ticket_cycles_resolution_due_idx').on(t.resolutionDueAt),
  ],
);

/**
 * The counts of `stats_hourly` and of its sums per day, `stats_daily`: new columns for each table
 * (a column builder belongs to one table).
 */
function cycleEventCounts() {
  return {
    created: integer('created').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    closed: integer('closed').notNull().default(0),
    responded: integer('responded').notNull().default(0),
    slaMet: integer('sla_met').notNull().default(0),
    slaBreached: integer('sla_breached').notNull().default(0),
  };
}

/** The counts of `stats_staff_hourly` and of its sums per day, `stats_staff_daily`. */
function staffEventCounts() {
  return {
    assigned: integer('assigned').notNull().default(0),
    messages: integer('messages').notNull().default(0),
    responded: integer('responded').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    slaMet: integer('sla_met').notNull().default(0),
    slaBreached: integer('sla_breached').notNull().default(0),
    csatSum: integer('csat_sum').notNull().default(0),
    csatCount: integer('csat_count').notNull().default(0),
  };
}

/**
 * The statistics' hourly rollup (`stats/`): per UTC hour, the events of the cycles counted once
 * for everything (`kind` `all`) and once per category, priority, assignee (`none`: unassigned)
 * and channel, so a figure of a long period sums a few thousand rows rather than reading every
 * cycle. Kept by the trigger `stats_hourly_follow` on `ticket_cycles` (migration 0018), in the
 * transaction of each change.
 */
export const statsHourly = pgTable(
  'stats_hourly',
  {
    kind: text('kind', { enum: ['all', 'category', 'priority', 'assignee', 'channel'] }).notNull(),
    key: text('key').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    ...cycleEventCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.key, t.hour] }),
    // A breakdown reads the hours at a period's ends for every key of a kind (migration 0023).
    index('stats_hourly_kind_hour_idx').on(t.kind, t.hour),
  ],
);

/**
 * The statistics' daily histograms of durations (`stats/`): per UTC day, kind and key (as
 * `stats_hourly`), and metric (0 first response calendar, 1 first response support, 2
 * resolution calendar, 3 resolution support), how many cycles fall in each of 100 log buckets
 * (`stats/histogram.ts`). Kept by the trigger `stats_durations_follow` on `ticket_cycles`
 * (migration 0019). Percentiles of periods with many cycles are read from here.
 */
export const statsDurations = pgTable(
  'stats_durations',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    day: timestamp('day', { withTimezone: true }).notNull(),
    metric: smallint('metric').notNull(),
    counts: integer('counts').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.day, t.metric] })],
);

/**
 * The statistics' daily rollup (`stats/`): `stats_hourly`'s columns summed per UTC day, so a
 * long period (and the backlog, every start less every end before an instant) sums a row per
 * day rather than one per hour; the hours at either end come from `stats_hourly`. Kept by the
 * trigger `stats_daily_follow` on `ticket_cycles` (migration 0023).
 */
export const statsDaily = pgTable(
  'stats_daily',
  {
    kind: text('kind', { enum: ['all', 'category', 'priority', 'assignee', 'channel'] }).notNull(),
    key: text('key').notNull(),
    day: timestamp('day', { withTimezone: true }).notNull(),
    ...cycleEventCounts(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.day] })],
);

/**
 * The statistics' hourly CSAT rollup (`stats/`): per UTC hour of `ticket_ratings.created_at`,
 * how many ratings were given and the sum of their scores, once for everything (`kind` `all`)
 * and once per the ticket's current category, priority and assignee (`none`: unassigned). Kept
 * by the trigger `stats_csat_follow` on `ticket_ratings` (migration 0023).
 */
export const statsCsatHourly = pgTable(
  'stats_csat_hourly',
  {
    kind: text('kind', { enum: ['all', 'category', 'priority', 'assignee'] }).notNull(),
    key: text('key').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    ratings: integer('ratings').notNull().default(0),
    scoreSum: integer('score_sum').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.hour] })],
);

/**
 * The staff table's hourly rollup (`stats/staff-rollup.ts`): per UTC hour and user, counted
 * once for everything (`kind` `all`) and once per the ticket's current category, priority and
 * assignee (`none`: unassigned), the assignments to them, the messages they wrote on tickets
 * they did not open, the first answers they wrote, the cycles that ended assigned to them, the
 * SLA decisions and ratings of the tickets assigned to them. Kept by triggers on
 * `ticket_cycles`, `audit_log`, `messages`, `ticket_ratings` and `tickets` (migration 0022),
 * in the transaction of each change.
 */
export const statsStaffHourly = pgTable(
  'stats_staff_hourly',
  {
    kind: text('kind', { enum: ['all', 'category', 'priority', 'assignee'] }).notNull(),
    key: text('key').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    userId: uuid('user_id').notNull(),
    ...staffEventCounts(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.hour, t.userId] })],
);

/**
 * `stats_staff_hourly` summed per UTC day (the same triggers keep both), so a long period reads
 * a row per day and user rather than one per hour (`stats/staff-rollup.ts`).
 */
export const statsStaffDaily = pgTable(
  'stats_staff_daily',
  {
    kind: text('kind', { enum: ['all', 'category', 'priority', 'assignee'] }).notNull(),
    key: text('key').notNull(),
    day: timestamp('day', { withTimezone: true }).notNull(),
    userId: uuid('user_id').notNull(),
    ...staffEventCounts(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.day, t.userId] })],
);

/**
 * The staff table's daily histograms (`stats/staff-rollup.ts`): per UTC day, kind and key (as
 * `stats_staff_hourly`) and user, the calendar times of the first answers they wrote (metric
 * 0) and of the cycles that ended assigned to them (metric 2), in the 100 log buckets of
 * `stats_durations`. Kept by the trigger `stats_staff_cycles_follow` (migration 0022).
 */
export const statsStaffDurations = pgTable(
  'stats_staff_durations',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    day: timestamp('day', { withTimezone: true }).notNull(),
    userId: uuid('user_id').notNull(),
    metric: smallint('metric').notNull(),
    counts: integer('counts').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.day, t.userId, t.metric] })],
);

/**
 * `stats_staff_durations` summed per UTC month (the same trigger keeps both), so a long period
 * adds a dozen histograms per user rather than one per day (`stats/staff-rollup.ts`).
 */
export const statsStaffMonthlyDurations = pgTable(
  'stats_staff_monthly_durations',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    month: timestamp('month', { withTimezone: true }).notNull(),
    userId: uuid('user_id').notNull(),
    metric: smallint('metric').notNull(),
    counts: integer('counts').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.month, t.userId, t.metric] })],
);

/** The languages a canned reply may be written for; `any` suits every customer. */
export const cannedReplyLanguages = ['ru', 'en', 'any'] as const;
export type CannedReplyLanguage = (typeof cannedReplyLanguages)[number];

/**
 * Saved answers staff insert into replies (`canned-replies/`): a personal one belongs to its
 * owner alone, a shared one (no owner) to the whole team. A shortcut is unique per owner (or
 * among shared ones) and language.
 */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: id(),
    /** The staff member a personal reply belongs to; null for a shared one. */
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** Lower case, one word: what staff type to find it (`/refund`, `@bot refund`). */
    shortcut: text('shortcut').notNull(),
    /** Plain text with `{customer_name}`, `{ticket_number}`, `{agent_name}`. */
    body: text('body').notNull(),
    language: text('language').$type<CannedReplyLanguage>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('canned_replies_personal_shortcut_key')
      .on(t.ownerId, t.shortcut, t.language)
      .where(sql`${t.ownerId} is not null`),
    uniqueIndex('canned_replies_shared_shortcut_key')
      .on(t.shortcut, t.language)
      .where(sql`${t.ownerId} is null`),
  ],
);

export const usersRelations = relations(users, ({ many }) => ({
  tickets: many(tickets, { relationName: 'author' }),
  sessions: many(sessions),
}));

export const ticketsRelations = relations(tickets, ({ one, many }) => ({
  author: one(users, { fields: [tickets.userId], references: [users.id], relationName: 'author' }),
  assignee: one(users, { fields: [tickets.assignedTo], references: [users.id] }),
  category: one(categories, { fields: [tickets.categoryId], references: [categories.id] }),
  messages: many(messages),
  attachments: many(attachments),
}));

export const messagesRelations = relations(messages, ({ one, many }) => ({
  ticket: one(tickets, { fields: [messages.ticketId], references: [tickets.id] }),
  author: one(users, { fields: [messages.userId], references: [users.id] }),
  attachments: many(attachments),
}));

export const attachmentsRelations = relations(attachments, ({ one }) => ({
  ticket: one(tickets, { fields: [attachments.ticketId], references: [tickets.id] }),
  message: one(messages, { fields: [attachments.messageId], references: [messages.id] }),
}));

export const sessionsRelations = relations(sessions, ({ one, many }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
  refreshTokens: many(refreshTokens),
}));

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  session: one(sessions, { fields: [refreshTokens.sessionId], references: [sessions.id] }),
}));

export type UserRow = typeof users.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type CategoryRow = typeof categories.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
export type SettingsRow = typeof settings.$inferSelect;
export type StaffTopicRow = typeof staffTopics.$inferSelect;
export type StaffPostRow = typeof staffPosts.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type TicketRatingRow = typeof ticketRatings.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type CannedReplyRow = typeof cannedReplies.$inferSelect;
