import type { AuditEntry } from '../../api/console-types';
import { roles, statuses, type Role, type Status } from '../../api/types';
import { t } from '../../i18n';
import { tc } from '../../i18n/console';

function field(record: Record<string, unknown> | null, name: string): unknown {
  return record?.[name];
}

/** A value of a changed field as text: a string as it is, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '?');
}

function roleName(value: unknown): string {
  return roles.includes(value as Role) ? t(`role_${value as Role}`) : asText(value);
}

function statusName(value: unknown): string {
  return statuses.includes(value as Status) ? t(`status_${value as Status}`) : asText(value);
}

/**
 * One recorded change as a sentence in the user's language: who did what (the audit actions
 * written by src/users/service.ts, src/tickets, src/messages and src/categories); an action this
 * version does not know yet is named as it is.
 */
export function describeEntry(entry: AuditEntry, actor: string): string {
  const { before, after } = entry;
  switch (entry.action) {
    case 'user.role_changed':
      return tc('act_role', {
        actor,
        from: roleName(field(before, 'role')),
        to: roleName(field(after, 'role')),
      });
    case 'user.blocked': {
      const reason = field(after, 'reason');
      return typeof reason === 'string' && reason
        ? tc('act_blocked_reason', { actor, reason })
        : tc('act_blocked', { actor });
    }
    case 'user.unblocked':
      return tc('act_unblocked', { actor });
    case 'ticket.created':
      return tc('act_ticket_created', { actor });
    case 'ticket.status_changed':
      return tc('act_ticket_status', { actor, to: statusName(field(after, 'status')) });
    case 'ticket.assigned':
      return tc('act_ticket_assigned', { actor });
    case 'ticket.updated':
      return tc('act_ticket_updated', { actor });
    case 'ticket.deleted':
      return tc('act_ticket_deleted', { actor });
    case 'message.created':
      return tc('act_message_created', { actor });
    case 'message.updated':
      return tc('act_message_updated', { actor });
    case 'message.deleted':
      return tc('act_message_deleted', { actor });
    default:
      if (entry.entity_type === 'category') {
        const name = field(after, 'name') ?? field(before, 'name') ?? '';
        return tc('act_category', { actor, name: asText(name) });
      }
      return tc('act_other', { actor, action: entry.action });
  }
}
