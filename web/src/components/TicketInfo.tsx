import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select } from '@telegram-apps/telegram-ui';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import {
  isStaff,
  type Attachment,
  priorities,
  statuses,
  type Page,
  type Person,
  type Priority,
  roles,
  type Status,
  type Ticket,
  type User,
} from '../api/types';
import { useCategories } from '../hooks';
import { formatDateTime, t } from '../i18n';
import { haptic } from '../telegram';
import { AttachmentView } from './AttachmentView';
import { RatingFact } from './RatingCard';
import { SlaBadge } from './SlaBadge';
import { CategoryIcon, PriorityBadge, StatusBadge } from './StatusBadge';

function fullName(person: Person | undefined): string {
  return person ? [person.first_name, person.last_name].filter(Boolean).join(' ') : '…';
}

function useUser(id: string | null, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.user(id),
    queryFn: ({ signal }) => api<Person>('GET', `/users/${id}`, undefined, signal),
    enabled: enabled && id !== null,
    staleTime: 5 * 60_000,
  });
}

/** Active staff who can take tickets (agents may list these, not customers). */
function useAgents(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.agents(),
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        roles
          .filter(isStaff)
          .map((role) =>
            api<Page<Person>>(
              'GET',
              `/users?role=${role}&is_active=true&limit=100`,
              undefined,
              signal,
            ),
          ),
      );
      return pages.flatMap((page) => page.items);
    },
    enabled,
    retry: false,
    staleTime: 5 * 60_000,
  });
}

/** The ticket's number, status, priority, category, people and dates, with its actions. */
export function TicketInfo({
  ticket,
  user,
  files,
}: Readonly<{
  ticket: Ticket;
  user: User;
  files: Attachment[];
}>) {
  const staff = isStaff(user.role);
  const queryClient = useQueryClient();
  const categories = useCategories();
  const category = categories.data?.find((item) => item.id === ticket.category_id);
  const assignee = useUser(ticket.assigned_to, staff);
  const author = useUser(ticket.user_id, staff);
  const agents = useAgents(staff);
  const [error, setError] = useState<string>();

  const change = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) =>
      api<Ticket>('PUT', `/tickets/${ticket.id}${path}`, body),
    onSuccess: (next) => {
      haptic('success');
      setError(undefined);
      queryClient.setQueryData(queryKeys.ticket(ticket.id), next);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.counts() });
    },
    onError: (failure) => {
      haptic('error');
      setError(failure instanceof ApiError ? failure.message : t('error'));
    },
  });
  const setStatus = (status: Status) => change.mutate({ path: '/status', body: { status } });
  const closed = ticket.status === 'closed';
  const canReopen = closed || ticket.status === 'resolved';
  const mine = ticket.user_id === user.id;
  let assigneeName = t('nobody');
  if (ticket.assigned_to) assigneeName = staff ? fullName(assignee.data) : t('supportTeam');

  return (
    <section className="ticket-info" aria-label={t('ticket')}>
      <div className="ticket-info-head">
        <CategoryIcon icon={category?.icon} color={category?.color} />
        <div>
          <div className="ticket-number">
            #{ticket.number} · {category?.name}
          </div>
          <h1 className="ticket-title">{ticket.title}</h1>
        </div>
      </div>
      <div className="ticket-badges">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <SlaBadge sla={ticket.sla} />
      </div>
      <p className="ticket-description">{ticket.description}</p>
      {files.length > 0 && (
        <div className="bubble-attachments" aria-label={t('attachments')}>
          {files.map((file) => (
            <AttachmentView key={file.id} attachment={file} />
          ))}
        </div>
      )}
      <dl className="ticket-facts">
        {staff && (
          <>
            <dt>{t('author')}</dt>
            <dd>{fullName(author.data)}</dd>
          </>
        )}
        <dt>{t('assignee')}</dt>
        <dd data-testid="assignee">{assigneeName}</dd>
        <dt>{t('created')}</dt>
        <dd>{formatDateTime(ticket.created_at)}</dd>
        <dt>{t('updated')}</dt>
        <dd>{formatDateTime(ticket.updated_at)}</dd>
        {ticket.closed_at && (
          <>
            <dt>{t('closedAt')}</dt>
            <dd>{formatDateTime(ticket.closed_at)}</dd>
          </>
        )}
        {staff && <RatingFact ticket={ticket} />}
      </dl>
      <div className="ticket-actions">
        {(staff || mine) && !closed && (
          <Select
            header={t('priority')}
            aria-label={t('priority')}
            value={ticket.priority}
            disabled={change.isPending}
            onChange={(event) =>
              change.mutate({ path: '', body: { priority: event.target.value as Priority } })
            }
          >
            {priorities.map((value) => (
              <option key={value} value={value}>
                {t(`priority_${value}`)}
              </option>
            ))}
          </Select>
        )}
        {staff && (
          <Select
            header={t('status')}
            aria-label={t('status')}
            value={ticket.status}
            disabled={change.isPending}
            onChange={(event) => setStatus(event.target.value as Status)}
          >
            {statuses.map((value) => (
              <option
                key={value}
                value={value}
                disabled={closed && value !== 'open' && value !== 'closed'}
              >
                {t(`status_${value}`)}
              </option>
            ))}
          </Select>
        )}
        {staff && !closed && agents.data && (
          <Select
            header={t('assignTo')}
            aria-label={t('assignTo')}
            value={ticket.assigned_to ?? ''}
            disabled={change.isPending}
            onChange={(event) =>
              change.mutate({ path: '/assign', body: { assigned_to: event.target.value || null } })
            }
          >
            <option value="">{t('nobody')}</option>
            {agents.data.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {fullName(agent)}
              </option>
            ))}
          </Select>
        )}
        <div className="action-buttons">
          {staff && !closed && ticket.assigned_to !== user.id && (
            <Button
              size="s"
              mode="bezeled"
              disabled={change.isPending}
              onClick={() => change.mutate({ path: '/assign', body: { assigned_to: user.id } })}
            >
              {t('assignToMe')}
            </Button>
          )}
          {!closed && (
            <Button
              size="s"
              mode="gray"
              disabled={change.isPending}
              onClick={() => setStatus('closed')}
            >
              {t('close')}
            </Button>
          )}
          {canReopen && (staff || mine) && (
            <Button
              size="s"
              mode="bezeled"
              disabled={change.isPending}
              onClick={() => setStatus('open')}
            >
              {t('reopen')}
            </Button>
          )}
        </div>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
