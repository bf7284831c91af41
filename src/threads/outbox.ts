import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { staffPosts } from '../db/schema.js';
import type { DomainEvent, FieldChange } from '../events/domain-events.js';
import type { BeforeCommit } from '../events/unit-of-work.js';
import type { Clock } from '../platform/clock.js';
import type { SettingsService } from '../settings/service.js';
import { staffTopicOrigin } from './origin.js';
import type { ChangeFields } from './render.js';

/** A ticket message to post in its topic, as it was written. */
export interface MessagePost {
  message_id: string;
  author: string;
  is_internal: boolean;
  content: string;
  attachments: { id: string; file_name: string; mime_type: string }[];
}

/** A change of a ticket to tell in its topic: its fields' first and last state, and by whom. */
export interface ChangePost {
  actor_id: string | null;
  changes: ChangeFields;
}

/** The fields of a ticket whose changes are told in its topic. */
const toldFields = ['status', 'priority', 'assigned_to', 'title'] as const;

/** A person's name as the group shows it. */
export function displayName(person: { first_name: string; last_name: string | null }): string {
  return [person.first_name, person.last_name].filter(Boolean).join(' ');
}

/** The told fields of an event's changes; undefined when none moved. */
function toldChanges(changes: Record<string, FieldChange>): ChangeFields | undefined {
  const told = Object.fromEntries(
    toldFields.flatMap((field) => (changes[field] ? [[field, changes[field]]] : [])),
  ) as ChangeFields;
  return Object.keys(told).length === 0 ? undefined : told;
}

/** Two changes of one ticket as one: each field from where it first was to where it is now. */
function merged(earlier: ChangeFields, later: ChangeFields): ChangeFields {
  const result: Record<string, FieldChange> = { ...earlier };
  const moves = Object.entries(later as Record<string, FieldChange>);
  for (const [field, move] of moves) {
    const first = result[field];
    result[field] = { from: first ? first.from : move.from, to: move.to };
  }
  return result;
}

/**
 * The staff group's outbox writer, run in every change's transaction (`BeforeCommit`): while a
 * staff group is set (`staff_chat.chat_id`), a new ticket queues its topic, a message its post
 * (not one written in the topic itself), and a change of status, priority, assignee or title a
 * one-line post; a change waiting at the end of its ticket's queue, not yet begun, takes in the
 * next one instead of queueing another (three status changes in a row: one post, the last
 * state). The rows commit or vanish with the change; the paced sender (`sender.ts`) makes them.
 */
export function createStaffOutbox(deps: {
  settings: Pick<SettingsService, 'current'>;
  clock: Clock;
}): BeforeCommit {
  const { settings, clock } = deps;

  async function queueChange(tx: Tx, ticketId: string, post: ChangePost): Promise<void> {
    const [last] = await tx
      .select()
      .from(staffPosts)
      .where(
        and(
          eq(staffPosts.ticketId, ticketId),
          isNull(staffPosts.sentAt),
          isNull(staffPosts.givenUpAt),
        ),
      )
      .orderBy(desc(staffPosts.seq))
      .limit(1);
    if (last?.kind === 'change') {
      const waiting = last.payload as ChangePost;
      const [taken] = await tx
        .update(staffPosts)
        .set({
          payload: { actor_id: post.actor_id, changes: merged(waiting.changes, post.changes) },
        })
        .where(
          and(
            eq(staffPosts.id, last.id),
            isNull(staffPosts.claimedAt),
            eq(staffPosts.progress, 0),
            isNull(staffPosts.sentAt),
          ),
        )
        .returning({ id: staffPosts.id });
      if (taken) return;
    }
    await tx
      .insert(staffPosts)
      .values({ ticketId, kind: 'change', payload: post, createdAt: clock.now() });
  }

  async function queue(tx: Tx, event: DomainEvent): Promise<void> {
    const now = clock.now();
    switch (event.type) {
      case 'ticket.created':
        await tx
          .insert(staffPosts)
          .values({ ticketId: event.ticket_id, kind: 'topic', payload: {}, createdAt: now });
        return;
      case 'ticket.updated':
      case 'ticket.assigned':
      case 'ticket.status_changed': {
        const changes = toldChanges(event.changes);
        if (changes) await queueChange(tx, event.ticket_id, { actor_id: event.actor_id, changes });
        return;
      }
      case 'message.created': {
        if (staffTopicOrigin()) return;
        const message = event.data;
        const post: MessagePost = {
          message_id: message.id,
          author: message.author ? displayName(message.author) : '—',
          is_internal: message.is_internal,
          content: message.content,
          attachments: message.attachments.map(({ id, file_name, mime_type }) => ({
            id,
            file_name,
            mime_type,
          })),
        };
        await tx
          .insert(staffPosts)
          .values({ ticketId: event.ticket_id, kind: 'message', payload: post, createdAt: now });
        return;
      }
      default:
        return;
    }
  }

  return async (tx, events) => {
    const told = events.filter(
      (event) => event.type.startsWith('ticket.') || event.type === 'message.created',
    );
    if (told.length === 0) return;
    const { staff_chat } = await settings.current(tx);
    if (staff_chat.chat_id === null) return;
    for (const event of told) await queue(tx, event);
  };
}
