import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditLog } from '../audit/service.js';
import { can, isStaff } from '../auth/permissions.js';
import type { Principal } from '../auth/service.js';
import { requiredPlainText } from '../content/plain-text.js';
import type { Db, Tx } from '../db/client.js';
import { keyset, type KeysetOrder, type Page } from '../db/keyset.js';
import { instantPlaceholder, reusableStatement } from '../db/statement.js';
import { messages, users as usersTable, type MessageRow } from '../db/schema.js';
import { Forbidden, NotFound } from '../errors.js';
import type { DeletedMessage, MessageDeletedEvent, MessageEvent } from '../events/domain-events.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { AttachedFile } from '../files/schemas.js';
import { filesOfMessage, type FileService } from '../files/service.js';
import type { NotificationService } from '../notifications/service.js';
import type { Clock } from '../platform/clock.js';
import type { TicketRecord } from '../tickets/schemas.js';
import type { TicketService } from '../tickets/service.js';
import { refuseClosed } from '../tickets/ticket-status.js';
import type { AuthorDto } from '../users/schemas.js';
import { authorColumns, toAuthor, type UserService } from '../users/service.js';
import {
  toMessageDto,
  type MessageDto,
  type MessageInput,
  type MessageListQuery,
} from './schemas.js';

const orders: Record<MessageListQuery['sort'], KeysetOrder> = {
  created_at: {
    name: 'messages:created_at',
    descending: false,
    columns: { createdAt: messages.createdAt, id: messages.id },
  },
  '-created_at': {
    name: 'messages:-created_at',
    descending: true,
    columns: { createdAt: messages.createdAt, id: messages.id },
  },
};

/** A message as a page reads it: with its author's columns (null when the author is gone). */
const pageColumns = {
  ...getTableColumns(messages),
  author: authorColumns,
  files: filesOfMessage(messages.id),
};
type PageRow = MessageRow & {
  author: Parameters<typeof toAuthor>[0] | null;
  files: AttachedFile[];
};

/** What every event about a message of `ticket` says besides its type and payload. */
function aboutMessage(
  ticket: TicketRecord,
  actor: Principal,
  isInternal: boolean,
  occurredAt: Date,
): Omit<MessageEvent, 'type' | 'data'> {
  return {
    ticket_id: ticket.id,
    ticket_user_id: ticket.userId,
    actor_id: actor.userId,
    is_internal: isInternal,
    occurred_at: occurredAt.toISOString(),
  };
}

/** A message written or edited, for subscribers (realtime). */
function messageEvent(
  type: MessageEvent['type'],
  ticket: TicketRecord,
  actor: Principal,
  message: MessageDto,
  occurredAt: Date,
): MessageEvent {
  return { type, ...aboutMessage(ticket, actor, message.is_internal, occurredAt), data: message };
}

/** A message deleted: what named it. */
function messageDeletedEvent(
  ticket: TicketRecord,
  actor: Principal,
  deleted: DeletedMessage,
  occurredAt: Date,
): MessageDeletedEvent {
  return {
    type: 'message.deleted',
    ...aboutMessage(ticket, actor, deleted.is_internal, occurredAt),
    data: deleted,
  };
}

/**
 * Creates the messages service: the only writer of `messages`. Users see and write only their
 * own tickets' public conversation; staff also write and read internal notes.
 */
export function createMessageService(deps: {
  db: Db;
  uow: UnitOfWork;
  clock: Clock;
  audit: AuditLog;
  tickets: TicketService;
  files: FileService;
  users: UserService;
  notifications: NotificationService;
}) {
  const { db, uow, clock, audit, tickets, files, users, notifications } = deps;

  // A conversation's first page (no cursor), built once per sort and audience and prepared: see
  // the ticket reads in tickets/queries.ts for why.
  const firstPages = new Map<string, ReturnType<typeof prepareFirstPage>>();
  function prepareFirstPage(sort: MessageListQuery['sort'], staff: boolean) {
    const order = keyset(orders[sort]);
    return db
      .select(pageColumns)
      .from(messages)
      .leftJoin(usersTable, eq(usersTable.id, messages.userId))
      .where(
        and(
          eq(messages.ticketId, sql.placeholder('ticket')),
          staff ? undefined : eq(messages.isInternal, false),
        ),
      )
      .orderBy(...order.orderBy())
      .limit(sql.placeholder('limit'))
      .prepare(`messages_first_page_${staff ? 'staff' : 'public'}_${sort.replace('-', 'desc_')}`);
  }

  /** A page of the ticket's messages the caller may read, each with its author's columns. */
  async function readPage(
    actor: Principal,
    ticketId: string,
    query: MessageListQuery,
  ): Promise<PageRow[]> {
    const staff = isStaff(actor.role);
    const order = keyset(orders[query.sort]);
    if (!query.cursor) {
      const key = `${query.sort}:${staff}`;
      let prepared = firstPages.get(key);
      if (!prepared) {
        prepared = prepareFirstPage(query.sort, staff);
        firstPages.set(key, prepared);
      }
      return prepared.execute({ ticket: ticketId, limit: query.limit + 1 });
    }
    return db
      .select(pageColumns)
      .from(messages)
      .leftJoin(usersTable, eq(usersTable.id, messages.userId))
      .where(
        and(
          eq(messages.ticketId, ticketId),
          staff ? undefined : eq(messages.isInternal, false),
          order.after(query.cursor),
        ),
      )
      .orderBy(...order.orderBy())
      .limit(query.limit + 1);
  }

  /** Everyone who has written in the ticket (its conversation's participants), as a subquery. */
  function writersOf(tx: Tx, ticketId: string) {
    return tx
      .selectDistinct({ userId: messages.userId })
      .from(messages)
      .where(eq(messages.ticketId, ticketId));
  }

  /**
   * The statement that writes a new message, its audit entry and reads its author (a round trip
   * each before, while the ticket's row is locked), with the ticket's activity touch when
   * `touching` (`tickets.touchesActivityOnly`); built once each (`db/statement.ts`).
   */
  function insertStatement(touching: boolean) {
    const value = (name: string) => sql.placeholder(name);
    return reusableStatement(db, `messages_insert${touching ? '_touching' : ''}`, (on) => {
      const inserted = on.$with('inserted').as(
        on
          .insert(messages)
          .values({
            id: value('id'),
            ticketId: value('ticket'),
            userId: value('user'),
            content: value('content'),
            isInternal: value('internal'),
            createdAt: value('created'),
          })
          .returning(),
      );
      const audited = on.$with('audited').as(
        audit.insertion(
          on,
          {
            actorId: value('user'),
            action: 'message.created',
            entityType: 'message',
            entityId: value('id'),
            ticketId: value('ticket'),
            after: value('after'),
          },
          { id: value('audit'), createdAt: value('now') },
        ),
      );
      const touched = touching
        ? [
            on
              .$with('touched')
              .as(tickets.activityTouch(on, value('ticket'), instantPlaceholder('touchedAt'))),
          ]
        : [];
      return on
        .with(inserted, audited, ...touched)
        .select({
          row: {
            id: inserted.id,
            ticketId: inserted.ticketId,
            userId: inserted.userId,
            content: inserted.content,
            isInternal: inserted.isInternal,
            createdAt: inserted.createdAt,
            editedAt: inserted.editedAt,
          },
          author: authorColumns,
        })
        .from(inserted)
        .innerJoin(usersTable, eq(usersTable.id, inserted.userId));
    });
  }
  const insertStatements = { alone: insertStatement(false), touching: insertStatement(true) };

  /**
   * Writes a new message of `actor`'s, its audit entry and reads its author, in one statement,
   * with the ticket's activity touch when that is all the message changes of it.
   */
  async function insertWithAuthor(
    tx: Tx,
    actor: Principal,
    ticket: TicketRecord,
    message: { content: string; isInternal: boolean; createdAt: Date },
  ): Promise<{ row: MessageRow; author: AuthorDto; touched: boolean }> {
    const id = uuidv7();
    const touched = tickets.touchesActivityOnly(actor, ticket, message);
    const [found] = await insertStatements[touched ? 'touching' : 'alone'](tx, {
      id,
      ticket: ticket.id,
      user: actor.userId,
      content: message.content,
      internal: message.isInternal,
      created: message.createdAt,
      touchedAt: message.createdAt.toISOString(),
      after: { content: message.content, is_internal: message.isInternal },
      audit: uuidv7(),
      now: clock.now(),
    });
    if (!found) throw new Error('insert returned no row');
    return { row: found.row, author: toAuthor(found.author), touched };
  }

  /** The message and its ticket if the caller may see both; 404 otherwise. */
  async function visibleMessage(
    tx: Tx,
    actor: Principal,
    id: string,
  ): Promise<{ message: MessageRow; ticket: TicketRecord }> {
    const [message] = await tx.select().from(messages).where(eq(messages.id, id)).for('update');
    if (!message || (message.isInternal && !isStaff(actor.role))) {
      throw new NotFound('Message not found');
    }
    const ticket = await tickets.visible(tx, actor, message.ticketId).catch(() => {
      throw new NotFound('Message not found');
    });
    return { message, ticket };
  }

  /** One message in API shape, its author and files read in the change's transaction (`tx`). */
  async function presentOne(row: MessageRow, viewer: string, tx: Tx): Promise<MessageDto> {
    // A transaction has one connection, which runs one query at a time.
    const authors = await users.authors([row.userId], tx);
    const attachments = await files.attachmentsOf([row.id], viewer, tx);
    return toMessageDto(row, authors.get(row.userId), attachments.get(row.id));
  }

  return {
    /** A page of the ticket's conversation; internal notes only for staff. */
    async list(
      actor: Principal,
      ticketId: string,
      query: MessageListQuery,
    ): Promise<Page<MessageDto>> {
      const order = keyset(orders[query.sort]);
      // The page is read beside the visibility check (one round trip instead of two) and
      // dropped unread when the ticket is not the caller's: that refusal comes first, as before.
      const [visible, read] = await Promise.allSettled([
        tickets.visible(db, actor, ticketId),
        readPage(actor, ticketId, query),
      ]);
      if (visible.status === 'rejected') throw visible.reason;
      if (read.status === 'rejected') throw read.reason;
      const page = order.page(read.value, query.limit, (row) => row);
      // The authors and files came with the page (two statements fewer).
      return {
        items: page.items.map((row) =>
          toMessageDto(
            row,
            row.author ? toAuthor(row.author) : undefined,
            files.filesOfPage(row.files, actor.userId),
          ),
        ),
        next_cursor: page.next_cursor,
      };
    },

    /**
     * Adds a message to a ticket that is not closed (409). Internal notes are for staff only
     * (403). The ticket's activity, first response and status follow (`tickets.noteMessage`).
     */
    async create(actor: Principal, ticketId: string, input: MessageInput): Promise<MessageDto> {
      if (input.is_internal && !can(actor.role, 'messages.internal')) {
        throw new Forbidden('Only staff write internal notes');
      }
      const content = requiredPlainText(input.content, 'content');
      return uow.run(async (work) => {
        const { tx } = work;
        const ticket = await tickets.visible(tx, actor, ticketId, true);
        refuseClosed(ticket);
        const { row, author, touched } = await insertWithAuthor(tx, actor, ticket, {
          content,
          isInternal: input.is_internal,
          createdAt: clock.now(),
        });
        await files.attachToMessage(tx, actor, ticketId, row, input.attachment_ids ?? []);
        const attached = (input.attachment_ids ?? []).length > 0;
        const dto = attached
          ? await presentOne(row, actor.userId, tx)
          : toMessageDto(row, author, []);
        // The message first, then what it caused: a reopened ticket, the notifications.
        work.raise(messageEvent('message.created', ticket, actor, dto, row.createdAt));
        if (!touched) {
          await tickets.noteMessage(work, actor, ticket, {
            isInternal: row.isInternal,
            createdAt: row.createdAt,
          });
        }
        await notifications.messageCreated(work, ticket, row, writersOf(tx, ticketId));
        return dto;
      });
    },

    /**
     * Edits the caller's own message (403 for anyone else's), marking it edited; the Telegram
     * copies of its notices follow (`notifications.messageEdited`).
     */
    async update(actor: Principal, id: string, input: { content: string }): Promise<MessageDto> {
      const content = requiredPlainText(input.content, 'content');
      return uow.run(async (work) => {
        const { tx } = work;
        const { message, ticket } = await visibleMessage(tx, actor, id);
        if (message.userId !== actor.userId)
          throw new Forbidden('You may edit only your own messages');
        refuseClosed(ticket);
        if (message.content === content) return presentOne(message, actor.userId, tx);
        const now = clock.now();
        const [row] = await tx
          .update(messages)
          .set({ content, editedAt: now })
          .where(eq(messages.id, id))
          .returning();
        if (!row) throw new NotFound('Message not found');
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'message.updated',
          entityType: 'message',
          entityId: id,
          ticketId: ticket.id,
          before: { content: message.content, is_internal: message.isInternal },
          after: { content, is_internal: message.isInternal },
        });
        const dto = await presentOne(row, actor.userId, tx);
        work.raise(messageEvent('message.updated', ticket, actor, dto, now));
        // The copies in Telegram follow (a job; never the request's to wait for).
        await notifications.messageEdited(work, row);
        return dto;
      });
    },

    /**
     * Deletes a message: its author, or a moderator and above, may. The Telegram copies of its
     * notices are deleted too (`notifications.messageDeleted`).
     */
    async remove(actor: Principal, id: string): Promise<void> {
      await uow.run(async (work) => {
        const { tx } = work;
        const { message, ticket } = await visibleMessage(tx, actor, id);
        if (message.userId !== actor.userId && !can(actor.role, 'messages.delete_any')) {
          throw new Forbidden('You may delete only your own messages');
        }
        // The attachment rows go with the message; their bytes once that has committed.
        const blobKeys = await files.blobKeysOfMessage(tx, id);
        // Before the row goes: its notices name it, and their copies in Telegram go too.
        await notifications.messageDeleted(work, id);
        await tx.delete(messages).where(eq(messages.id, id));
        await audit.record(tx, {
          actorId: actor.userId,
          action: 'message.deleted',
          entityType: 'message',
          entityId: id,
          ticketId: ticket.id,
          before: {
            content: message.content,
            is_internal: message.isInternal,
            user_id: message.userId,
          },
        });
        const data: DeletedMessage = { id, ticket_id: ticket.id, is_internal: message.isInternal };
        work.afterCommit(() => files.deleteBlobs(blobKeys));
        work.raise(messageDeletedEvent(ticket, actor, data, clock.now()));
      });
    },
  };
}

/** The messages service. */
export type MessageService = ReturnType<typeof createMessageService>;
