import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { Button, Input, Select, Spinner, TabsList } from '@telegram-apps/telegram-ui';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, query } from '../api/client';
import { queryKeys } from '../api/query-keys';
import {
  isStaff,
  priorities,
  slaStates,
  statuses,
  type Counts,
  type Page,
  type Status,
  type Ticket,
  type User,
} from '../api/types';
import { EmptyList } from '../components/EmptyList';
import { TicketRow } from '../components/TicketRow';
import { useCategories, useDebounced, useMainButton } from '../hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import { haptic, inTelegram } from '../telegram';

type Queue = 'none' | 'me' | 'all';

interface Filters {
  status: Status | '';
  category: string;
  priority: string;
  from: string;
  to: string;
  /** Staff: an SLA state (`sla_state`), or '' for any. */
  sla: string;
  /** Staff: `due_at` (due soonest first), or '' for the latest activity first. */
  sort: '' | 'due_at';
}

const noFilters: Filters = {
  status: '',
  category: '',
  priority: '',
  from: '',
  to: '',
  sla: '',
  sort: '',
};
const PAGE_SIZE = 30;
const queueLabels = { none: 'tabUnassigned', me: 'tabMine', all: 'tabAll' } as const;

/** Midnight of a `yyyy-mm-dd` day in the user's time zone, `days` later, as ISO 8601. */
function dayStart(day: string, days = 0): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + days);
  return date.toISOString();
}

/** Remembers a value for this tab across page changes. */
function useStored<T>(key: string, initial: T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => {
    const saved = sessionStorage.getItem(key);
    return saved ? (JSON.parse(saved) as T) : initial;
  });
  return [
    value,
    (next: T) => {
      sessionStorage.setItem(key, JSON.stringify(next));
      setValue(next);
    },
  ];
}

/** Pull down at the top of the page to refresh. */
function usePullToRefresh(onRefresh: () => Promise<unknown>): number {
  const [pull, setPull] = useState(0);
  // The listeners stay for the page's life: re-adding them on every render (each move renders)
  // would forget where the finger started in the middle of the gesture.
  const refresh = useRef(onRefresh);
  useEffect(() => {
    refresh.current = onRefresh;
  }, [onRefresh]);
  useEffect(() => {
    let startY: number | undefined;
    let distance = 0;
    const start = (event: TouchEvent) => {
      startY = window.scrollY <= 0 ? event.touches[0]?.clientY : undefined;
    };
    const move = (event: TouchEvent) => {
      if (startY === undefined) return;
      distance = Math.max(0, (event.touches[0]?.clientY ?? startY) - startY);
      setPull(Math.min(distance, 100));
    };
    const end = () => {
      if (startY !== undefined && distance > 70) {
        haptic('tap');
        void refresh.current();
      }
      startY = undefined;
      distance = 0;
      setPull(0);
    };
    window.addEventListener('touchstart', start, { passive: true });
    window.addEventListener('touchmove', move, { passive: true });
    window.addEventListener('touchend', end);
    return () => {
      window.removeEventListener('touchstart', start);
      window.removeEventListener('touchmove', move);
      window.removeEventListener('touchend', end);
    };
  }, []);
  return pull;
}

/** Moderators and above see the admin console. */
const consoleRoles: readonly User['role'][] = ['moderator', 'admin', 'owner'];

/** The notification centre with its unread count, and for moderators and up the admin console. */
function HeaderLinks({ user }: Readonly<{ user: User }>) {
  const unread = useQuery({
    queryKey: queryKeys.unreadCount(),
    queryFn: ({ signal }) =>
      api<{ unread_count: number }>('GET', '/notifications/unread-count', undefined, signal),
  });
  const count = unread.data?.unread_count ?? 0;
  const go = (path: string) => (event: React.MouseEvent) => {
    event.preventDefault();
    haptic('tap');
    navigate(path);
  };
  return (
    <nav className="title-links">
      <a
        className="title-link bell"
        href="/notifications"
        aria-label={count > 0 ? t('notificationsUnread', { count }) : t('notificationsLink')}
        onClick={go('/notifications')}
      >
        <span aria-hidden="true">🔔</span>
        {count > 0 && (
          <span className="badge" data-testid="unread-badge">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </a>
      {consoleRoles.includes(user.role) && (
        <a className="title-link" href="/admin" onClick={go('/admin')}>
          {t('adminLink')}
        </a>
      )}
    </nav>
  );
}

/** The user's tickets, or for staff the queues; counters, filters, search, an endless list. */
export default function Dashboard({ user }: Readonly<{ user: User }>) {
  const staff = isStaff(user.role);
  const queryClient = useQueryClient();
  const [queue, setQueue] = useStored<Queue>('dashboard.queue', staff ? 'none' : 'all');
  const [stored, setFilters] = useStored<Filters>('dashboard.filters', noFilters);
  // Filters saved before a field existed lack it.
  const filters = { ...noFilters, ...stored };
  const [search, setSearch] = useStored('dashboard.search', '');
  const [showFilters, setShowFilters] = useState(false);
  const q = useDebounced(search.trim(), 300);
  const categories = useCategories();
  const categoryById = useMemo(
    () => new Map((categories.data ?? []).map((category) => [category.id, category])),
    [categories.data],
  );

  const scope = {
    assigned_to: staff && queue !== 'all' ? queue : undefined,
    category_id: filters.category,
    priority: filters.priority,
    created_from: dayStart(filters.from),
    created_to: dayStart(filters.to, 1),
    q,
  };
  const counts = useQuery({
    queryKey: queryKeys.countsOf(scope),
    queryFn: ({ signal }) =>
      api<Counts>('GET', `/tickets/counts${query(scope)}`, undefined, signal),
  });
  // Staff queues put the latest activity first, so a ticket someone just wrote in comes to the
  // top (live: App.tsx refetches on every ticket and message event staff sockets get).
  // Or, chosen, the tickets due soonest first (service levels are staff-only).
  let sort: string | undefined;
  if (staff) sort = filters.sort || '-updated_at';
  const slaState = staff ? filters.sla || undefined : undefined;
  const list = useInfiniteQuery({
    queryKey: queryKeys.ticketList({ ...scope, sla_state: slaState }, filters.status, sort),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api<Page<Ticket>>(
        'GET',
        `/tickets${query({ ...scope, status: filters.status, sla_state: slaState, sort, limit: PAGE_SIZE, cursor: pageParam })}`,
        undefined,
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);

  const listRef = useRef<HTMLDivElement>(null);
  // Where the list starts on the page, measured when the header above it changes size (not read
  // during every render, which would force a layout each time).
  const [listTop, setListTop] = useState(0);
  useLayoutEffect(() => {
    const element = listRef.current;
    if (!element) return;
    const measure = () => setListTop(element.offsetTop);
    measure();
    const observer = new ResizeObserver(measure);
    if (element.previousElementSibling) observer.observe(element.previousElementSibling);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: rows.length + (list.hasNextPage ? 1 : 0),
    estimateSize: () => 88,
    overscan: 8,
    scrollMargin: listTop,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 1 && list.hasNextPage && !list.isFetchingNextPage) {
      void list.fetchNextPage();
    }
  }, [lastIndex, rows.length, list]);

  const pull = usePullToRefresh(() =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.tickets() }),
      queryClient.invalidateQueries({ queryKey: queryKeys.counts() }),
    ]),
  );
  // In Telegram, "New ticket" is the client's own Main Button; elsewhere a button at the bottom.
  const openNew = useCallback(() => {
    haptic('tap');
    navigate('/new');
  }, []);
  useMainButton(`+ ${t('newTicket')}`, openNew);
  const filtered = JSON.stringify(filters) !== JSON.stringify(noFilters);
  const setFilter = (change: Partial<Filters>) => setFilters({ ...filters, ...change });

  return (
    <main className="page dashboard">
      {pull > 0 && (
        <div className="pull" style={{ height: pull }} aria-live="polite">
          {pull > 70 ? t('pullToRefresh') : ''}
        </div>
      )}
      <header className="dashboard-header">
        <div className="title-row">
          <h1 className="page-title">{staff ? t('appName') : t('myTickets')}</h1>
          <HeaderLinks user={user} />
        </div>
        {staff && (
          <TabsList className="tabs">
            {(['none', 'me', 'all'] as const).map((value) => (
              <TabsList.Item
                key={value}
                selected={queue === value}
                onClick={() => {
                  haptic('tap');
                  setQueue(value);
                }}
              >
                <span className="tab-label">{t(queueLabels[value])}</span>
              </TabsList.Item>
            ))}
          </TabsList>
        )}
        <div className="counters" role="group" aria-label={t('status')}>
          <button
            type="button"
            className={`counter${filters.status === '' ? ' selected' : ''}`}
            onClick={() => setFilter({ status: '' })}
          >
            {t('total')} <b>{counts.data?.total ?? '·'}</b>
          </button>
          {statuses.map((status) => (
            <button
              key={status}
              type="button"
              data-status={status}
              className={`counter${filters.status === status ? ' selected' : ''}`}
              onClick={() => {
                haptic('tap');
                setFilter({ status: filters.status === status ? '' : status });
              }}
            >
              {t(`status_${status}`)} <b>{counts.data?.[status] ?? '·'}</b>
            </button>
          ))}
        </div>
        <div className="search-row">
          <Input
            className="search"
            type="search"
            aria-label={t('search')}
            placeholder={t('searchPlaceholder')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          <button
            type="button"
            className={filtered ? 'filters-button active' : 'filters-button'}
            aria-expanded={showFilters}
            onClick={() => setShowFilters(!showFilters)}
          >
            {t('filters')}
            {filtered ? ' •' : ''}
          </button>
        </div>
        {showFilters && (
          <div className="filters">
            <Select
              header={t('category')}
              aria-label={t('category')}
              value={filters.category}
              onChange={(event) => setFilter({ category: event.target.value })}
            >
              <option value="">{t('anyCategory')}</option>
              {(categories.data ?? []).map((category) => (
                <option key={category.id} value={category.id}>
                  {category.icon} {category.name}
                </option>
              ))}
            </Select>
            <Select
              header={t('priority')}
              aria-label={t('priority')}
              value={filters.priority}
              onChange={(event) => setFilter({ priority: event.target.value })}
            >
              <option value="">{t('anyPriority')}</option>
              {priorities.map((priority) => (
                <option key={priority} value={priority}>
                  {t(`priority_${priority}`)}
                </option>
              ))}
            </Select>
            {staff && (
              <>
                <Select
                  header={t('sla')}
                  aria-label={t('sla')}
                  value={filters.sla}
                  onChange={(event) => setFilter({ sla: event.target.value })}
                >
                  <option value="">{t('anySla')}</option>
                  {slaStates.map((state) => (
                    <option key={state} value={state}>
                      {t(`sla_${state}`)}
                    </option>
                  ))}
                </Select>
                <Select
                  header={t('sortBy')}
                  aria-label={t('sortBy')}
                  value={filters.sort}
                  onChange={(event) =>
                    setFilter({ sort: event.target.value === 'due_at' ? 'due_at' : '' })
                  }
                >
                  <option value="">{t('sortActivity')}</option>
                  <option value="due_at">{t('sortDueSoon')}</option>
                </Select>
              </>
            )}
            <div className="date-range">
              <Input
                header={t('from')}
                type="date"
                value={filters.from}
                onChange={(event) => setFilter({ from: event.target.value })}
              />
              <Input
                header={t('to')}
                type="date"
                value={filters.to}
                onChange={(event) => setFilter({ to: event.target.value })}
              />
            </div>
            {filtered && (
              <Button size="s" mode="plain" onClick={() => setFilters(noFilters)}>
                {t('resetFilters')}
              </Button>
            )}
          </div>
        )}
      </header>

      <div ref={listRef} className="ticket-list" aria-busy={list.isFetching}>
        {list.isPending && (
          <div className="centered-small">
            <Spinner size="m" />
          </div>
        )}
        {list.isSuccess && rows.length === 0 && (
          <EmptyList
            searched={q}
            filtered={filtered}
            staff={staff}
            onClearSearch={() => setSearch('')}
            onResetFilters={() => setFilters(noFilters)}
          />
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualRows.map((item) => {
            const ticket = rows[item.index];
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="virtual-row"
                style={{
                  transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)`,
                }}
              >
                {ticket ? (
                  <TicketRow ticket={ticket} category={categoryById.get(ticket.category_id)} />
                ) : (
                  <div className="centered-small">
                    <Spinner size="s" />
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>

      {!inTelegram() && (
        <div className="bottom-bar">
          <Button size="l" stretched className="new-ticket-button main-action" onClick={openNew}>
            + {t('newTicket')}
          </Button>
        </div>
      )}
    </main>
  );
}
