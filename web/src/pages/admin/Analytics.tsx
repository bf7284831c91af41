import '../../console.css';
import './analytics/analytics.css';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Select, Spinner } from '@telegram-apps/telegram-ui';
import { useEffect, useMemo, useState } from 'react';
import { api, query } from '../../api/client';
import { isModerator } from '../../api/console-types';
import { queryKeys } from '../../api/query-keys';
import { realtime } from '../../api/realtime';
import type {
  StatsBreakdown,
  StatsHeatmap,
  StatsOverview,
  StatsStaff,
  StatsTimeseries,
} from '../../api/stats-types';
import { priorities, type User } from '../../api/types';
import { BackLink } from '../../components/BackLink';
import { useBackButton, useCategories } from '../../hooks';
import { t } from '../../i18n';
import { ta } from '../../i18n/analytics';
import { tc } from '../../i18n/console';
import { goBack } from '../../router';
import { haptic } from '../../telegram';
import { BreakdownChart } from './analytics/BreakdownChart';
import { Heatmap } from './analytics/Heatmap';
import { KpiCards } from './analytics/KpiCards';
import {
  addDays,
  bucketOf,
  customPeriod,
  dayIn,
  presetPeriod,
  presets,
  type Day,
  type Period,
  type Preset,
} from './analytics/period';
import { ReportButtons, type ReportQuery } from './analytics/ReportButtons';
import { StaffTable } from './analytics/StaffTable';
import { TimeseriesChart } from './analytics/TimeseriesChart';
import { refusalText } from './refusal';

/** The figures refetch at most this often while tickets change (the server batches too). */
const LIVE_REFRESH_MS = 1000;

interface Filters {
  category_id: string;
  priority: string;
  assigned_to: string;
}

const noFilters: Filters = { category_id: '', priority: '', assigned_to: '' };

/**
 * Live figures: each `stats.updated` frame (sent to staff when tickets are created or change
 * status, src/realtime/gateway.ts) refetches the page's answers, at once for the first and then
 * at most once per {@link LIVE_REFRESH_MS}, the last change always included.
 */
function useLiveStats(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending = false;
    const refresh = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.stats() });
      timer = setTimeout(() => {
        timer = undefined;
        if (pending) {
          pending = false;
          refresh();
        }
      }, LIVE_REFRESH_MS);
    };
    const off = realtime.onFrame((frame) => {
      if (frame.type !== 'stats.updated') return;
      if (timer) pending = true;
      else refresh();
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [queryClient]);
}

/** One stats endpoint for the page's period and filters, kept on screen while the next loads. */
function useStats<T>(endpoint: string, params: ReportQuery | undefined, enabled = true) {
  return useQuery({
    queryKey: queryKeys.statsOf(endpoint, params ?? {}),
    queryFn: ({ signal }) =>
      api<T>('GET', `/stats/${endpoint}${query(params ?? {})}`, undefined, signal),
    enabled: enabled && params !== undefined,
    placeholderData: keepPreviousData,
  });
}

/** The period picker: presets, or two dates on the support clock. */
function PeriodPicker({
  preset,
  onPreset,
  days,
  onDays,
  problem,
}: Readonly<{
  preset: Preset;
  onPreset: (preset: Preset) => void;
  days: { first: Day; last: Day };
  onDays: (days: { first: Day; last: Day }) => void;
  problem: string | undefined;
}>) {
  return (
    <>
      <div className="counters period-presets" role="group" aria-label={ta('period')}>
        {presets.map((name) => (
          <button
            key={name}
            type="button"
            className={preset === name ? 'counter selected' : 'counter'}
            aria-pressed={preset === name}
            onClick={() => {
              haptic('tap');
              onPreset(name);
            }}
          >
            {ta(`preset_${name}`)}
          </button>
        ))}
      </div>
      {preset === 'custom' && (
        <div className="date-range analytics-dates">
          <Input
            header={ta('from')}
            aria-label={ta('from')}
            type="date"
            value={days.first}
            onChange={(event) => onDays({ ...days, first: event.target.value })}
          />
          <Input
            header={ta('to')}
            aria-label={ta('to')}
            type="date"
            value={days.last}
            onChange={(event) => onDays({ ...days, last: event.target.value })}
          />
        </div>
      )}
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}

/** The filters every figure and the report take: category, priority, assignee. */
function FilterFields({
  filters,
  onChange,
  staff,
}: Readonly<{
  filters: Filters;
  onChange: (filters: Filters) => void;
  staff: StatsStaff['rows'];
}>) {
  const categories = useCategories();
  const set = (change: Partial<Filters>) => onChange({ ...filters, ...change });
  return (
    <div className="filters">
      <Select
        header={t('category')}
        aria-label={t('category')}
        value={filters.category_id}
        onChange={(event) => set({ category_id: event.target.value })}
      >
        <option value="">{t('anyCategory')}</option>
        {(categories.data ?? []).map((category) => (
          <option key={category.id} value={category.id}>
            {category.name}
          </option>
        ))}
      </Select>
      <Select
        header={t('priority')}
        aria-label={t('priority')}
        value={filters.priority}
        onChange={(event) => set({ priority: event.target.value })}
      >
        <option value="">{t('anyPriority')}</option>
        {priorities.map((priority) => (
          <option key={priority} value={priority}>
            {t(`priority_${priority}`)}
          </option>
        ))}
      </Select>
      <Select
        header={t('assignee')}
        aria-label={t('assignee')}
        value={filters.assigned_to}
        onChange={(event) => set({ assigned_to: event.target.value })}
      >
        <option value="">{ta('anyAssignee')}</option>
        <option value="none">{t('nobody')}</option>
        {staff.map((person) => (
          <option key={person.user_id} value={person.user_id}>
            {person.name}
          </option>
        ))}
      </Select>
      {JSON.stringify(filters) !== JSON.stringify(noFilters) && (
        <Button size="s" mode="plain" onClick={() => onChange(noFilters)}>
          {tc('resetFilters')}
        </Button>
      )}
    </div>
  );
}

/**
 * The analytics page (moderators and above): the period's key figures against the previous
 * period, created and resolved over time, by category and priority, by weekday and hour, the
 * staff, and the report to download or receive in Telegram. Its own chunk, with the chart
 * library, fetched when opened.
 */
export default function Analytics({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  useLiveStats();
  const allowed = isModerator(user.role);
  // The support team's zone, which the periods are read on: any stats answer names it.
  const zone = useQuery({
    queryKey: queryKeys.statsZone(),
    queryFn: ({ signal }) => api<StatsOverview>('GET', '/stats/overview', undefined, signal),
    select: (answer) => answer.time_zone,
    enabled: allowed,
    staleTime: Infinity,
  });
  const timeZone = zone.data;
  const [preset, setPreset] = useState<Preset>('week');
  // Counted once per choice, so the period stays the same while the preset does.
  const [now, setNow] = useState(() => new Date());
  const [days, setDays] = useState<{ first: Day; last: Day }>({ first: '', last: '' });
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [showFilters, setShowFilters] = useState(false);

  const chosen = useMemo((): { period?: Period; problem?: string } => {
    if (!timeZone) return {};
    if (preset !== 'custom') return { period: presetPeriod(preset, now, timeZone) };
    const custom = customPeriod(days.first, days.last, timeZone);
    return 'period' in custom ? custom : { problem: ta(`problem_${custom.problem}`) };
  }, [timeZone, preset, now, days]);
  const params: ReportQuery | undefined = chosen.period && {
    ...chosen.period,
    category_id: filters.category_id || undefined,
    priority: filters.priority || undefined,
    assigned_to: filters.assigned_to || undefined,
  };
  const bucket = chosen.period ? bucketOf(chosen.period) : 'day';

  const overview = useStats<StatsOverview>('overview', params);
  const series = useStats<StatsTimeseries>('timeseries', params && { ...params, bucket });
  const byCategory = useStats<StatsBreakdown>('breakdown', params && { ...params, by: 'category' });
  const byPriority = useStats<StatsBreakdown>('breakdown', params && { ...params, by: 'priority' });
  const heatmap = useStats<StatsHeatmap>('heatmap', params);
  const staff = useStats<StatsStaff>('staff', params);

  const choosePreset = (next: Preset) => {
    if (next === 'custom' && timeZone) {
      // Start from the period on screen, which the user then narrows or widens.
      const shown = chosen.period ?? presetPeriod('week', now, timeZone);
      const first = dayIn(new Date(shown.from), timeZone);
      const last = addDays(dayIn(new Date(shown.to), timeZone), -1);
      setDays({ first, last });
    }
    setNow(new Date());
    setPreset(next);
  };

  const failure = [zone, overview, series, byCategory, byPriority, heatmap, staff].find(
    (answer) => answer.isError,
  )?.error;
  if (!allowed || zone.isError) {
    return (
      <main className="page analytics">
        <BackLink onBack={goBack} />
        <h1 className="page-title">{ta('title')}</h1>
        <p className="error-text">{zone.isError ? refusalText(zone.error) : tc('notAllowed')}</p>
      </main>
    );
  }
  const filtered = JSON.stringify(filters) !== JSON.stringify(noFilters);
  const fetching = [overview, series, byCategory, byPriority, heatmap, staff].some(
    (answer) => answer.isFetching,
  );

  return (
    <main className="page analytics" aria-busy={fetching}>
      <BackLink onBack={goBack} />
      <h1 className="page-title">{ta('title')}</h1>
      <PeriodPicker
        preset={preset}
        onPreset={choosePreset}
        days={days}
        onDays={setDays}
        problem={chosen.problem}
      />
      <div className="analytics-tools">
        <button
          type="button"
          className={filtered ? 'filters-button active' : 'filters-button'}
          aria-expanded={showFilters}
          onClick={() => setShowFilters(!showFilters)}
        >
          {tc('filters')}
          {filtered ? ' •' : ''}
        </button>
        {timeZone && <span className="hint clock-note">{ta('clockNote', { zone: timeZone })}</span>}
      </div>
      {showFilters && (
        <FilterFields filters={filters} onChange={setFilters} staff={staff.data?.rows ?? []} />
      )}
      {failure && (
        <p className="error-text" role="alert">
          {refusalText(failure)}
        </p>
      )}
      {!overview.data && !failure && (
        <div className="centered-small">
          <Spinner size="m" />
        </div>
      )}
      {overview.data && <KpiCards overview={overview.data} />}
      {series.data && <TimeseriesChart series={series.data} />}
      {byCategory.data && (
        <BreakdownChart
          breakdown={byCategory.data}
          title={ta('byCategory')}
          labelOf={(row) => row.label}
        />
      )}
      {byPriority.data && (
        <BreakdownChart
          breakdown={byPriority.data}
          title={ta('byPriority')}
          labelOf={(row) =>
            priorities.includes(row.key as (typeof priorities)[number])
              ? t(`priority_${row.key as (typeof priorities)[number]}`)
              : row.label
          }
        />
      )}
      {heatmap.data && <Heatmap heatmap={heatmap.data} />}
      {staff.data && <StaffTable rows={staff.data.rows} />}
      {params && <ReportButtons params={params} />}
    </main>
  );
}
