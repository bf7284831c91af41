import '../console.css';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Cell, Input, List, Section, Spinner, Switch } from '@telegram-apps/telegram-ui';
import { useEffect, useMemo, useState } from 'react';
import { api, query } from '../api/client';
import {
  notificationKinds,
  type Me,
  type NotificationKind,
  type NotificationItem,
  type NotificationPrefs,
} from '../api/console-types';
import { queryKeys } from '../api/query-keys';
import { isStaff, type Page, type User } from '../api/types';
import { BackLink } from '../components/BackLink';
import { useBackButton } from '../hooks';
import { formatDateTime } from '../i18n';
import { tc } from '../i18n/console';
import { goBack, navigate } from '../router';
import { haptic } from '../telegram';
import { refusalText } from './admin/refusal';

const PAGE_SIZE = 30;
const defaultQuiet = { start: '22:00', end: '08:00' };
/** The kinds a customer is ever sent, so the only ones offered them (as the bot's /settings does, src/bot/features/settings.ts). */
const customerKinds: readonly NotificationKind[] = ['new_message', 'status_changed', 'broadcast'];

interface NotificationPage extends Page<NotificationItem> {
  unread_count: number;
}

/** The list: newest first, unread marked; a tap marks it read and opens its ticket. */
function Inbox() {
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: queryKeys.notifications(),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api<NotificationPage>(
        'GET',
        `/notifications${query({ limit: PAGE_SIZE, cursor: pageParam })}`,
        undefined,
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const unread = list.data?.pages[0]?.unread_count ?? 0;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.unreadCount() });
  };
  const readAll = useMutation({
    mutationFn: () => api('PUT', '/notifications/read-all'),
    onSuccess: () => {
      haptic('success');
      refresh();
    },
  });
  const open = async (item: NotificationItem) => {
    haptic('tap');
    if (!item.is_read) {
      await api('PUT', `/notifications/${item.id}/read`).catch(() => undefined);
      refresh();
    }
    if (item.ticket_id) navigate(`/tickets/${item.ticket_id}`);
  };
  return (
    <section aria-label={tc('notifications')}>
      <div className="inbox-head">
        <span className="hint" data-testid="unread-count">
          {tc('unread', { count: unread })}
        </span>
        {unread > 0 && (
          <Button
            size="s"
            mode="bezeled"
            loading={readAll.isPending}
            onClick={() => readAll.mutate()}
          >
            {tc('markAllRead')}
          </Button>
        )}
      </div>
      {list.isPending && (
        <div className="centered-small">
          <Spinner size="m" />
        </div>
      )}
      {list.isSuccess && items.length === 0 && (
        <p className="field-note">{tc('noNotifications')}</p>
      )}
      <ul className="inbox">
        {items.map((item) => (
          <li key={item.id}>
            <button
              type="button"
              className={item.is_read ? 'inbox-item' : 'inbox-item unread'}
              onClick={() => void open(item)}
            >
              <span className="inbox-title">{item.title}</span>
              <time dateTime={item.created_at}>{formatDateTime(item.created_at)}</time>
              <span className="inbox-text">{item.content}</span>
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <Button
          size="s"
          mode="plain"
          loading={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {tc('showMore')}
        </Button>
      )}
    </section>
  );
}

/** What reaches the user in Telegram: kinds, quiet hours; for staff a digest and being on duty. */
function Preferences({ user }: Readonly<{ user: User }>) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: queryKeys.me(),
    queryFn: ({ signal }) => api<Me>('GET', '/auth/me', undefined, signal),
  });
  const [prefs, setPrefs] = useState<NotificationPrefs>();
  const [onDuty, setOnDuty] = useState<boolean>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  useEffect(() => {
    if (me.data && !prefs) {
      setPrefs({
        muted_types: me.data.notification_settings.muted_types,
        quiet_hours: me.data.notification_settings.quiet_hours ?? null,
        digest: me.data.notification_settings.digest ?? false,
      });
      setOnDuty(me.data.on_duty);
    }
  }, [me.data, prefs]);
  const save = useMutation({
    mutationFn: () =>
      api<Me>('PUT', '/auth/profile', {
        notification_settings: prefs,
        // Customers are never on duty: the server refuses them the field (403).
        ...(isStaff(user.role) && onDuty !== undefined ? { on_duty: onDuty } : {}),
      }),
    onSuccess: (next) => {
      haptic('success');
      queryClient.setQueryData(queryKeys.me(), next);
      setMessage({ text: tc('saved'), error: false });
    },
    onError: (failure) => {
      haptic('error');
      setMessage({ text: refusalText(failure), error: true });
    },
  });
  if (!prefs) {
    return (
      <div className="centered-small">
        <Spinner size="m" />
      </div>
    );
  }
  const staff = isStaff(user.role);
  const change = (next: NotificationPrefs) => {
    setMessage(undefined);
    setPrefs(next);
  };
  return (
    <List>
      <Section header={tc('preferences')}>
        {(staff ? notificationKinds : customerKinds).map((kind) => (
          <Cell
            key={kind}
            Component="label"
            multiline
            after={
              <Switch
                aria-label={tc(`kind_${kind}`)}
                checked={!prefs.muted_types.includes(kind)}
                onChange={(event) =>
                  change({
                    ...prefs,
                    muted_types: event.target.checked
                      ? prefs.muted_types.filter((muted) => muted !== kind)
                      : [...prefs.muted_types, kind],
                  })
                }
              />
            }
          >
            {tc(`kind_${kind}`)}
          </Cell>
        ))}
      </Section>
      <Section
        header={tc('quietHours')}
        footer={<span className="section-note">{tc('quietHoursHint')}</span>}
      >
        <Cell
          Component="label"
          after={
            <Switch
              aria-label={tc('quietHours')}
              checked={Boolean(prefs.quiet_hours)}
              onChange={(event) =>
                change({ ...prefs, quiet_hours: event.target.checked ? defaultQuiet : null })
              }
            />
          }
        >
          {tc('quietHours')}
        </Cell>
        {prefs.quiet_hours && (
          <div className="time-range">
            <Input
              header={tc('start')}
              aria-label={tc('start')}
              type="time"
              value={prefs.quiet_hours.start}
              onChange={(event) =>
                change({
                  ...prefs,
                  quiet_hours: { ...defaultQuiet, ...prefs.quiet_hours, start: event.target.value },
                })
              }
            />
            <Input
              header={tc('end')}
              aria-label={tc('end')}
              type="time"
              value={prefs.quiet_hours.end}
              onChange={(event) =>
                change({
                  ...prefs,
                  quiet_hours: { ...defaultQuiet, ...prefs.quiet_hours, end: event.target.value },
                })
              }
            />
          </div>
        )}
      </Section>
      {staff && (
        <Section>
          <Cell
            Component="label"
            multiline
            after={
              <Switch
                aria-label={tc('digest')}
                checked={prefs.digest ?? false}
                onChange={(event) => change({ ...prefs, digest: event.target.checked })}
              />
            }
          >
            {tc('digest')}
          </Cell>
          {onDuty !== undefined && (
            <Cell
              Component="label"
              multiline
              after={
                <Switch
                  aria-label={tc('onDutyHint')}
                  checked={onDuty}
                  onChange={(event) => {
                    setMessage(undefined);
                    setOnDuty(event.target.checked);
                  }}
                />
              }
            >
              {tc('onDutyHint')}
            </Cell>
          )}
        </Section>
      )}
      {message && (
        <p className={message.error ? 'error-text' : 'notice'} role="status">
          {message.text}
        </p>
      )}
      <div className="section-actions">
        <Button size="l" stretched loading={save.isPending} onClick={() => save.mutate()}>
          {tc('save')}
        </Button>
      </div>
    </List>
  );
}

/** The notification centre: the in-app list and what reaches Telegram. */
export default function Notifications({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  return (
    <main className="page notifications">
      <BackLink onBack={goBack} />
      <h1 className="page-title">{tc('notifications')}</h1>
      <Inbox />
      <Preferences user={user} />
    </main>
  );
}
