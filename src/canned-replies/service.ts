import { and, eq, ilike, isNull, or, type SQL } from 'drizzle-orm';
import type { AuditLog } from '../audit/service.js';
import { changedFields } from '../audit/service.js';
import { can } from '../auth/permissions.js';
import type { Principal } from '../auth/service.js';
import { requiredPlainText } from '../content/plain-text.js';
import type { Db, Tx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { keyset, type Page } from '../db/keyset.js';
import { cannedReplies, type CannedReplyRow } from '../db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.js';
import { languageOf, type Language } from '../i18n/language.js';
import type { Clock } from '../platform/clock.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import {
  fillPlaceholders,
  personName,
  placeholderNames,
  unknownPlaceholders,
} from './placeholders.js';
import {
  toCannedReplyDto,
  type CannedReplyDto,
  type CannedReplyInput,
  type CannedReplyListQuery,
  type CannedReplyPatch,
} from './schemas.js';

/** Who acts on a reply: staff, with their role deciding about shared ones. */
type Actor = Principal;

// By shortcut, then language and id: the order a picker shows and a cursor resumes.
const byShortcut = keyset({
  name: 'canned_replies:shortcut',
  descending: false,
  columns: {
    shortcut: cannedReplies.shortcut,
    language: cannedReplies.language,
    id: cannedReplies.id,
  },
});

/** Replies `actor` may see: their own personal ones and the shared ones, never another's. */
function visibleTo(actor: Actor): SQL | undefined {
  return or(isNull(cannedReplies.ownerId), eq(cannedReplies.ownerId, actor.userId));
}

/** `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
function containing(text: string): string {
  const escaped = text.replace(/[\\%_]/g, (c) => '\\' + c);
  return `%${escaped}%`;
}

/** Every word of `q` in the shortcut, title or body. */
function matching(q: string | undefined): SQL | undefined {
  const words = (q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
  if (words.length === 0) return undefined;
  return and(
    ...words.map((word) =>
      or(
        ilike(cannedReplies.shortcut, containing(word)),
        ilike(cannedReplies.title, containing(word)),
        ilike(cannedReplies.body, containing(word)),
      ),
    ),
  );
}

/** Refuses (422) a body naming a placeholder nobody fills, naming it. */
function refuseUnknownPlaceholders(body: string): void {
  const unknown = unknownPlaceholders(body);
  if (unknown.length === 0) return;
  const list = unknown.map((name) => `{${name}}`).join(', ');
  const allowed = placeholderNames.map((name) => `{${name}}`).join(', ');
  throw new Invalid(`Unknown placeholder ${list}`, [
    { field: 'body', message: `unknown placeholder ${list}; use ${allowed}` },
  ]);
}

function duplicateShortcut(shortcut: string, shared: boolean): Conflict {
  const whose = shared ? 'A shared reply' : 'One of your replies';
  return new Conflict(
    `${whose} in this language already has the shortcut “${shortcut}”`,
    'duplicate_shortcut',
  );
}

/** Keeps titles and bodies plain text, like every other text users see. */
function clean<T extends { title?: string; body?: string }>(input: T): T {
  const result = { ...input };
  if (result.title !== undefined) result.title = requiredPlainText(result.title, 'title');
  if (result.body !== undefined) {
    result.body = requiredPlainText(result.body, 'body');
    refuseUnknownPlaceholders(result.body);
  }
  return result;
}

/**
 * Creates the canned replies service: the only writer of `canned_replies`, and where their
 * rules live for the API and the bot alike. Every staff member keeps personal replies that only
 * they see; shared ones are read by all staff and written by moderators and above (audited,
 * like other changes to what the whole team works with).
 */
export function createCannedReplyService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  tickets: Pick<TicketService, 'get'>;
  users: Pick<UserService, 'getById'>;
}) {
  const { db, clock, audit, tickets, users } = deps;

  /** The reply if `actor` may see it, else 404 (another's personal reply is not theirs to know). */
  async function visible(executor: Db | Tx, actor: Actor, id: string): Promise<CannedReplyRow> {
    const [row] = await executor
      .select()
      .from(cannedReplies)
      .where(and(eq(cannedReplies.id, id), visibleTo(actor)));
    if (!row) throw new NotFound('Canned reply not found');
    return row;
  }

  /** The reply if `actor` may change it: 404 when unseen, 403 for a shared one below moderator. */
  async function writable(tx: Tx, actor: Actor, id: string): Promise<CannedReplyRow> {
    const row = await visible(tx, actor, id);
    if (row.ownerId === null && !can(actor.role, 'canned_replies.manage_shared')) {
      throw new Forbidden('Only moderators and above change shared replies');
    }
    return row;
  }

  /** Runs a write, turning a clash of shortcuts into a 409. */
  async function writing<T>(
    shortcut: string,
    shared: boolean,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateShortcut(shortcut, shared);
      throw error;
    }
  }

  /** The values a reply's placeholders take for `ticketId` answered by `actor` (404 if unseen). */
  async function valuesFor(actor: Actor, ticketId: string) {
    const ticket = await tickets.get(actor, ticketId);
    const [customer, agent] = await Promise.all([
      users.getById(ticket.user_id),
      users.getById(actor.userId),
    ]);
    return {
      values: {
        customer_name: personName({ first_name: customer.firstName, last_name: customer.lastName }),
        ticket_number: ticket.number,
        agent_name: personName({ first_name: agent.firstName, last_name: agent.lastName }),
      },
      customerLanguage: languageOf(customer.languageCode),
    };
  }

  return {
    /**
     * A page of the replies `actor` sees (own and shared), by shortcut; with `q`, those whose
     * shortcut, title or body hold every word; with `language`, those in it or for any.
     */
    async list(actor: Actor, query: CannedReplyListQuery): Promise<Page<CannedReplyDto>> {
      const rows = await db
        .select()
        .from(cannedReplies)
        .where(
          and(
            visibleTo(actor),
            matching(query.q),
            query.language
              ? or(eq(cannedReplies.language, query.language), eq(cannedReplies.language, 'any'))
              : undefined,
            byShortcut.after(query.cursor),
          ),
        )
        .orderBy(...byShortcut.orderBy())
        .limit(query.limit + 1);
      return byShortcut.page(rows, query.limit, toCannedReplyDto);
    },

    /** One reply `actor` may see, else 404. */
    async get(actor: Actor, id: string): Promise<CannedReplyDto> {
      return toCannedReplyDto(await visible(db, actor, id));
    },

    /** Adds a personal reply, or a shared one (moderators and above; 403 otherwise). */
    async create(actor: Actor, input: CannedReplyInput): Promise<CannedReplyDto> {
      const shared = input.scope === 'shared';
      if (shared && !can(actor.role, 'canned_replies.manage_shared')) {
        throw new Forbidden('Only moderators and above add shared replies');
      }
      const values = clean(input);
      return writing(values.shortcut, shared, () =>
        db.transaction(async (tx) => {
          const now = clock.now();
          const [row] = await tx
            .insert(cannedReplies)
            .values({
              ownerId: shared ? null : actor.userId,
              title: values.title,
              shortcut: values.shortcut,
              body: values.body,
              language: values.language,
              createdBy: actor.userId,
              updatedBy: actor.userId,
              createdAt: now,
              updatedAt: now,
            })
            .returning();
          if (!row) throw new Error('insert returned no row');
          const dto = toCannedReplyDto(row);
          if (shared) {
            await audit.record(tx, {
              actorId: actor.userId,
              action: 'canned_reply.created',
              entityType: 'canned_reply',
              entityId: row.id,
              after: dto,
            });
          }
          return dto;
        }),
      );
    },

    /** Changes a reply `actor` may write; a no-op when nothing differs. */
    async update(actor: Actor, id: string, patch: CannedReplyPatch): Promise<CannedReplyDto> {
      const values = clean(patch);
      let shared = false;
      try {
        return await db.transaction(async (tx) => {
          const current = await writable(tx, actor, id);
          shared = current.ownerId === null;
          const before = toCannedReplyDto(current);
          const wanted = {
            title: values.title ?? before.title,
            shortcut: values.shortcut ?? before.shortcut,
            body: values.body ?? before.body,
            language: values.language ?? before.language,
          };
          const diff = changedFields({ ...before }, { ...before, ...wanted });
          if (!diff) return before;
          const [row] = await tx
            .update(cannedReplies)
            .set({ ...wanted, updatedBy: actor.userId, updatedAt: clock.now() })
            .where(eq(cannedReplies.id, id))
            .returning();
          if (!row) throw new NotFound('Canned reply not found');
          if (shared) {
            await audit.record(tx, {
              actorId: actor.userId,
              action: 'canned_reply.updated',
              entityType: 'canned_reply',
              entityId: id,
              ...diff,
            });
          }
          return toCannedReplyDto(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicateShortcut(values.shortcut ?? '', shared);
        throw error;
      }
    },

    /** Deletes a reply `actor` may write. */
    async remove(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const current = await writable(tx, actor, id);
        await tx.delete(cannedReplies).where(eq(cannedReplies.id, id));
        if (current.ownerId === null) {
          await audit.record(tx, {
            actorId: actor.userId,
            action: 'canned_reply.deleted',
            entityType: 'canned_reply',
            entityId: id,
            before: toCannedReplyDto(current),
          });
        }
      });
    },

    /**
     * The reply's body filled for a ticket `actor` may see (404 otherwise): the customer's
     * name, the ticket's number, the agent's name. Names are filled in the reply's language, or
     * the customer's for a reply for any language.
     */
    async fill(actor: Actor, id: string, ticketId: string): Promise<{ id: string; text: string }> {
      const reply = await visible(db, actor, id);
      const { values, customerLanguage } = await valuesFor(actor, ticketId);
      const language: Language = reply.language === 'any' ? customerLanguage : reply.language;
      return { id: reply.id, text: fillPlaceholders(reply.body, values, language) };
    },

    /**
     * Fills the placeholders of a text staff sent through the bot's inline mode, once it is
     * known to answer `ticketId` (`bot/features/chat-replies.ts`): the inline result could only
     * fill the agent's name.
     */
    async fillForTicket(actor: Actor, ticketId: string, text: string): Promise<string> {
      const { values, customerLanguage } = await valuesFor(actor, ticketId);
      return fillPlaceholders(text, values, customerLanguage);
    },
  };
}

/** The canned replies service. */
export type CannedReplyService = ReturnType<typeof createCannedReplyService>;
