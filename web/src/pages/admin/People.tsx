import '../../console.css';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { Button, Input, Select, Spinner } from '@telegram-apps/telegram-ui';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, download, query } from '../../api/client';
import { isModerator, type PersonRow } from '../../api/console-types';
import { queryKeys } from '../../api/query-keys';
import { roles, type Page, type User } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { BackLink } from '../../components/BackLink';
import { useBackButton, useDebounced } from '../../hooks';
import { formatDateTime, t } from '../../i18n';
import { formatBytes, tc } from '../../i18n/console';
import { goBack, navigate } from '../../router';
import { haptic } from '../../telegram';
import { refusalText } from './refusal';
import { saveFile } from './save-file';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

type SeenPreset = '' | 'day' | 'week' | 'month' | 'notMonth';

interface Filters {
  role: string;
  state: '' | 'true' | 'false';
  kind: '' | 'staff' | 'customers';
  seen: SeenPreset;
}

const noFilters: Filters = { role: '', state: '', kind: '', seen: '' };

const seenLabels = {
  '': 'anyTime',
  day: 'seenDay',
  week: 'seenWeek',
  month: 'seenMonth',
  notMonth: 'notSeenMonth',
} as const;

/** The `last_seen_after`/`last_seen_before` of a preset, counted back from `now`. */
function seenRange(preset: SeenPreset, now: number): Record<string, string | undefined> {
  const ago = (days: number) => new Date(now - days * DAY_MS).toISOString();
  switch (preset) {
    case 'day':
      return { last_seen_after: ago(1) };
    case 'week':
      return { last_seen_after: ago(7) };
    case 'month':
      return { last_seen_after: ago(30) };
    case 'notMonth':
      return { last_seen_before: ago(30) };
    default:
      return {};
  }
}

/** The full name of a person. */
export function nameOf(person: { first_name: string; last_name: string | null }): string {
  return [person.first_name, person.last_name].filter(Boolean).join(' ');
}

/** One person in the list: photo, name, @username, role, and when last seen. */
function PersonLine({ person }: Readonly<{ person: PersonRow }>) {
  const seen = person.last_seen_at
    ? tc('seenAt', { when: formatDateTime(person.last_seen_at) })
    : undefined;
  return (
    <a
      className="person-row"
      href={`/admin/users/${person.id}`}
      onClick={(event) => {
        event.preventDefault();
        haptic('tap');
        navigate(`/admin/users/${person.id}`);
      }}
    >
      <Avatar person={person} />
      <span className="person-row-body">
        <span className="person-row-name">{nameOf(person)}</span>
        <span className="person-row-meta">
          {person.username && <span className="person-username">@{person.username}</span>}
          {seen && <span className="person-seen">{seen}</span>}
        </span>
      </span>
      <span className="person-row-tags">
        <span className={`pill role-${person.role}`}>{t(`role_${person.role}`)}</span>
        {!person.is_active && <span className="pill blocked">{tc('blocked')}</span>}
      </span>
    </a>
  );
}

/** Export of the filtered list as CSV or Excel, with the bytes received so far. */
function ExportBar({ params }: Readonly<{ params: Record<string, string | undefined> }>) {
  const [state, setState] = useState<{ busy: boolean; text?: string; error?: boolean }>({
    busy: false,
  });
  const start = async (format: 'csv' | 'xlsx') => {
    haptic('tap');
    setState({ busy: true, text: tc('exporting', { size: formatBytes(0) }) });
    try {
      const file = await download(
        `/users/export${query({ ...params, format })}`,
        `users.${format}`,
        (bytes) => setState({ busy: true, text: tc('exporting', { size: formatBytes(bytes) }) }),
      );
      saveFile(file);
      haptic('success');
      setState({
        busy: false,
        text: tc('exported', { name: file.name, size: formatBytes(file.blob.size) }),
      });
    } catch (error) {
      haptic('error');
      setState({ busy: false, error: true, text: refusalText(error) });
    }
  };
  return (
    <div className="export-bar">
      <span className="export-label">{tc('exportAs')}</span>
      <Button size="s" mode="bezeled" disabled={state.busy} onClick={() => void start('xlsx')}>
        {tc('exportXlsx')}
      </Button>
      <Button size="s" mode="bezeled" disabled={state.busy} onClick={() => void start('csv')}>
        {tc('exportCsv')}
      </Button>
      {state.text && (
        <p
          className={state.error ? 'export-status error-text' : 'export-status hint'}
          role="status"
          aria-busy={state.busy}
        >
          {state.busy && <Spinner size="s" />}
          <span>{state.text}</span>
        </p>
      )}
    </div>
  );
}

/** The people list: search, filters, an endless virtualised list, export. */
export default function People({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [showFilters, setShowFilters] = useState(false);
  const q = useDebounced(search.trim(), 300);
  // Counted once per choice, so the list's key stays the same while the preset does.
  const seen = useMemo(() => seenRange(filters.seen, Date.now()), [filters.seen]);
  const params = {
    q,
    role: filters.role || undefined,
    is_active: filters.state || undefined,
    kind: filters.kind || undefined,
    ...seen,
  };
  const list = useInfiniteQuery({
    queryKey: queryKeys.peopleList(params),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api<Page<PersonRow>>(
        'GET',
        `/users${query({ ...params, limit: PAGE_SIZE, cursor: pageParam })}`,
        undefined,
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: isModerator(user.role),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);

  const listRef = useRef<HTMLDivElement>(null);
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
    estimateSize: () => 64,
    overscan: 10,
    scrollMargin: listTop,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 1 && list.hasNextPage && !list.isFetchingNextPage) {
      void list.fetchNextPage();
    }
  }, [lastIndex, rows.length, list]);

  const filtered = JSON.stringify(filters) !== JSON.stringify(noFilters);
  const setFilter = (change: Partial<Filters>) => setFilters({ ...filters, ...change });

  return (
    <main className="page people">
      <header>
        <BackLink onBack={goBack} />
        <h1 className="page-title">{tc('people')}</h1>
        <div className="search-row">
          <Input
            className="search"
            type="search"
            aria-label={tc('searchPeople')}
            placeholder={tc('searchPeopleShort')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          <button
            type="button"
            className={filtered ? 'filters-button active' : 'filters-button'}
            aria-expanded={showFilters}
            onClick={() => setShowFilters(!showFilters)}
          >
            {tc('filters')}
            {filtered ? ' •' : ''}
          </button>
        </div>
        {showFilters && (
          <div className="filters">
            <Select
              header={tc('role')}
              aria-label={tc('role')}
              value={filters.role}
              onChange={(event) => setFilter({ role: event.target.value })}
            >
              <option value="">{tc('anyRole')}</option>
              {roles.map((role) => (
                <option key={role} value={role}>
                  {t(`role_${role}`)}
                </option>
              ))}
            </Select>
            <Select
              header={tc('state')}
              aria-label={tc('state')}
              value={filters.state}
              onChange={(event) => setFilter({ state: event.target.value as Filters['state'] })}
            >
              <option value="">{tc('anyState')}</option>
              <option value="true">{tc('activeOnly')}</option>
              <option value="false">{tc('blockedOnly')}</option>
            </Select>
            <Select
              header={tc('kind')}
              aria-label={tc('kind')}
              value={filters.kind}
              onChange={(event) => setFilter({ kind: event.target.value as Filters['kind'] })}
            >
              <option value="">{tc('anyKind')}</option>
              <option value="staff">{tc('staffOnly')}</option>
              <option value="customers">{tc('customersOnly')}</option>
            </Select>
            <Select
              header={tc('lastSeen')}
              aria-label={tc('lastSeen')}
              value={filters.seen}
              onChange={(event) => setFilter({ seen: event.target.value as SeenPreset })}
            >
              {(Object.keys(seenLabels) as SeenPreset[]).map((preset) => (
                <option key={preset} value={preset}>
                  {tc(seenLabels[preset])}
                </option>
              ))}
            </Select>
            {filtered && (
              <Button size="s" mode="plain" onClick={() => setFilters(noFilters)}>
                {tc('resetFilters')}
              </Button>
            )}
          </div>
        )}
        <ExportBar params={params} />
        {list.isError && <p className="error-text">{refusalText(list.error)}</p>}
      </header>

      <div ref={listRef} className="people-list" aria-busy={list.isFetching}>
        {list.isPending && (
          <div className="centered-small">
            <Spinner size="m" />
          </div>
        )}
        {list.isSuccess && rows.length === 0 && <p className="field-note">{tc('noPeople')}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const person = rows[item.index];
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
                {person ? (
                  <PersonLine person={person} />
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
    </main>
  );
}
