import '../../console.css';
import {
  useInfiniteQuery,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { Button, Cell, List, Section, Select, Spinner, Textarea } from '@telegram-apps/telegram-ui';
import { useCallback, useMemo, useState } from 'react';
import { api, query } from '../../api/client';
import { isAdmin, isModerator, type AuditEntry, type PersonRow } from '../../api/console-types';
import { queryKeys } from '../../api/query-keys';
import { roles, type Page, type Role, type Ticket, type User } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { BackLink } from '../../components/BackLink';
import { Sheet } from '../../components/Sheet';
import { TicketRow } from '../../components/TicketRow';
import { useBackButton, useCategories } from '../../hooks';
import { formatDateTime, t } from '../../i18n';
import { tc } from '../../i18n/console';
import { goBack } from '../../router';
import { haptic } from '../../telegram';
import { describeEntry } from './activity';
import { nameOf } from './People';
import { refusalText } from './refusal';

const REASON_MAX = 500;

/** The person's tickets, newest first. */
function PersonTickets({ id }: Readonly<{ id: string }>) {
  const categories = useCategories();
  const byId = useMemo(
    () => new Map((categories.data ?? []).map((category) => [category.id, category])),
    [categories.data],
  );
  const tickets = useQuery({
    queryKey: queryKeys.personTickets(id),
    queryFn: ({ signal }) =>
      api<Page<Ticket>>('GET', `/users/${id}/tickets${query({ limit: 20 })}`, undefined, signal),
  });
  return (
    <section className="person-section" aria-label={tc('tickets')}>
      <h2 className="section-title">{tc('tickets')}</h2>
      {tickets.isPending && <Spinner size="s" />}
      {tickets.data?.items.length === 0 && <p className="field-note">{tc('noTicketsYet')}</p>}
      {tickets.data?.items.map((ticket) => (
        <TicketRow key={ticket.id} ticket={ticket} category={byId.get(ticket.category_id)} />
      ))}
    </section>
  );
}

/** What was done by and to the person, as sentences, newest first. */
function Timeline({ person }: Readonly<{ person: PersonRow }>) {
  const activity = useInfiniteQuery({
    queryKey: queryKeys.activity(person.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api<Page<AuditEntry>>(
        'GET',
        `/users/${person.id}/activity${query({ limit: 20, cursor: pageParam })}`,
        undefined,
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const entries = useMemo(
    () => activity.data?.pages.flatMap((page) => page.items) ?? [],
    [activity.data],
  );
  const actorIds = [...new Set(entries.map((entry) => entry.actor_id))].filter(
    (id): id is string => id !== null && id !== person.id,
  );
  const actors = useQueries({
    queries: actorIds.map((id) => ({
      queryKey: queryKeys.user(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<PersonRow>('GET', `/users/${id}`, undefined, signal),
      staleTime: 5 * 60_000,
    })),
  });
  const names = new Map<string, string>();
  actors.forEach((actor, index) => {
    const id = actorIds[index];
    if (id && actor.data) names.set(id, nameOf(actor.data));
  });
  const actorName = (id: string | null) => {
    if (id === null) return tc('system');
    if (id === person.id) return nameOf(person);
    return names.get(id) ?? '…';
  };
  return (
    <section className="person-section" aria-label={tc('activity')}>
      <h2 className="section-title">{tc('activity')}</h2>
      {activity.isPending && <Spinner size="s" />}
      {activity.isSuccess && entries.length === 0 && (
        <p className="field-note">{tc('noActivity')}</p>
      )}
      <ol className="timeline">
        {entries.map((entry) => (
          <li key={entry.id}>
            <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
            <span>{describeEntry(entry, actorName(entry.actor_id))}</span>
          </li>
        ))}
      </ol>
      {activity.hasNextPage && (
        <Button
          size="s"
          mode="plain"
          loading={activity.isFetchingNextPage}
          onClick={() => void activity.fetchNextPage()}
        >
          {tc('showMore')}
        </Button>
      )}
    </section>
  );
}

type Change = { kind: 'role'; role: Role } | { kind: 'status'; isActive: boolean; reason: string };

/** A person's page: profile, role, block, tickets, activity. */
export default function Person({ id, user }: Readonly<{ id: string; user: User }>) {
  useBackButton(goBack);
  const queryClient = useQueryClient();
  const person = useQuery({
    queryKey: queryKeys.user(id),
    queryFn: ({ signal }) => api<PersonRow>('GET', `/users/${id}`, undefined, signal),
  });
  const [pending, setPending] = useState<Change>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const close = useCallback(() => setPending(undefined), []);

  const apply = useMutation({
    mutationFn: (change: Change) =>
      change.kind === 'role'
        ? api<PersonRow>('PUT', `/users/${id}/role`, { role: change.role })
        : api<PersonRow>('PUT', `/users/${id}/status`, {
            is_active: change.isActive,
            ...(change.reason.trim() ? { reason: change.reason.trim() } : {}),
          }),
    onSuccess: (next, change) => {
      haptic('success');
      setError(undefined);
      setPending(undefined);
      queryClient.setQueryData(queryKeys.user(id), next);
      void queryClient.invalidateQueries({ queryKey: queryKeys.people() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.activity(id) });
      if (change.kind === 'role') {
        setNotice(tc('roleChanged', { name: nameOf(next), role: t(`role_${next.role}`) }));
      } else setNotice(next.is_active ? tc('isActive') : tc('isBlocked'));
    },
    onError: (failure) => {
      haptic('error');
      setPending(undefined);
      setNotice(undefined);
      setError(refusalText(failure));
    },
  });

  if (person.isPending) {
    return (
      <div className="centered">
        <Spinner size="l" />
      </div>
    );
  }
  if (!person.data) {
    return (
      <main className="page">
        <BackLink onBack={goBack} />
        <p className="error-text">{refusalText(person.error)}</p>
      </main>
    );
  }
  const shown = person.data;
  const name = nameOf(shown);

  return (
    <main className="page person">
      <BackLink onBack={goBack} />
      <header className="person-header">
        <Avatar person={shown} size={64} />
        <div className="person-header-text">
          <h1 className="person-name">{name}</h1>
          {shown.username && <p className="hint">@{shown.username}</p>}
          <p className="person-row-tags">
            <span className={`pill role-${shown.role}`}>{t(`role_${shown.role}`)}</span>
            {!shown.is_active && <span className="pill blocked">{tc('blocked')}</span>}
          </p>
        </div>
      </header>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <List>
        <Section header={tc('profile')}>
          <Cell after={String(shown.telegram_id)}>{tc('telegramId')}</Cell>
          <Cell after={shown.language_code ?? '—'}>{tc('language')}</Cell>
          <Cell after={formatDateTime(shown.created_at)}>{tc('joined')}</Cell>
          <Cell after={shown.last_seen_at ? formatDateTime(shown.last_seen_at) : tc('neverSeen')}>
            {tc('lastSeen')}
          </Cell>
          {shown.role !== 'user' && (
            <Cell after={shown.on_duty ? tc('yes') : tc('no')}>{tc('onDuty')}</Cell>
          )}
        </Section>
        {isAdmin(user.role) && (
          <Section header={tc('changeRole')}>
            <Select
              header={tc('chooseRole')}
              aria-label={tc('chooseRole')}
              value={shown.role}
              disabled={apply.isPending}
              onChange={(event) => {
                const role = event.target.value as Role;
                if (role !== shown.role) setPending({ kind: 'role', role });
              }}
            >
              {roles.map((role) => (
                <option key={role} value={role}>
                  {t(`role_${role}`)}
                </option>
              ))}
            </Select>
          </Section>
        )}
        {isModerator(user.role) && (
          <Section header={shown.is_active ? tc('isActive') : tc('isBlocked')}>
            <div className="section-actions">
              <Button
                size="m"
                mode={shown.is_active ? 'bezeled' : 'filled'}
                className={shown.is_active ? 'danger' : ''}
                onClick={() =>
                  setPending({ kind: 'status', isActive: !shown.is_active, reason: '' })
                }
              >
                {shown.is_active ? tc('block') : tc('unblock')}
              </Button>
            </div>
          </Section>
        )}
      </List>
      <PersonTickets id={id} />
      <Timeline person={shown} />

      {pending?.kind === 'role' && (
        <Sheet title={tc('confirmRole', { name, role: t(`role_${pending.role}`) })} onClose={close}>
          <p className="sheet-text">{tc(`roleDoes_${pending.role}`)}</p>
          <div className="sheet-buttons">
            <Button size="l" mode="bezeled" stretched onClick={close}>
              {tc('cancel')}
            </Button>
            <Button
              size="l"
              stretched
              loading={apply.isPending}
              onClick={() => apply.mutate(pending)}
            >
              {tc('confirm')}
            </Button>
          </div>
        </Sheet>
      )}
      {pending?.kind === 'status' && (
        <Sheet
          title={tc(pending.isActive ? 'unblockTitle' : 'blockTitle', { name })}
          onClose={close}
        >
          <p className="sheet-text">{tc(pending.isActive ? 'unblockText' : 'blockText')}</p>
          {!pending.isActive && (
            <Textarea
              header={tc('reason')}
              aria-label={tc('reason')}
              placeholder={tc('reasonPlaceholder')}
              maxLength={REASON_MAX}
              value={pending.reason}
              onChange={(event) => setPending({ ...pending, reason: event.target.value })}
            />
          )}
          <div className="sheet-buttons">
            <Button size="l" mode="bezeled" stretched onClick={close}>
              {tc('cancel')}
            </Button>
            <Button
              size="l"
              stretched
              loading={apply.isPending}
              onClick={() => apply.mutate(pending)}
            >
              {pending.isActive ? tc('unblock') : tc('block')}
            </Button>
          </div>
        </Sheet>
      )}
    </main>
  );
}
