import type { Figures, StatsOverview } from '../../../api/stats-types';
import { ta, type AnalyticsKey } from '../../../i18n/analytics';
import {
  changeOf,
  formatCount,
  formatDecimal,
  formatDuration,
  formatPercent,
  type Better,
  type Change,
} from './format';

interface Kpi {
  name: AnalyticsKey;
  value: (figures: Figures) => number | null;
  shown: (value: number | null, figures: Figures) => string;
  better: Better;
  note?: (figures: Figures) => string | undefined;
}

/** The same median counted in support hours only; nothing when there is none. */
function supportNote(seconds: number | null): string | undefined {
  return seconds === null ? undefined : `${formatDuration(seconds)} ${ta('supportHours')}`;
}

const kpis: readonly Kpi[] = [
  {
    name: 'kpi_created',
    value: (f) => f.created,
    shown: (v) => formatCount(v ?? 0),
    better: 'neither',
  },
  {
    name: 'kpi_resolved',
    value: (f) => f.resolved,
    shown: (v) => formatCount(v ?? 0),
    better: 'up',
  },
  {
    name: 'kpi_backlog',
    value: (f) => f.backlog,
    shown: (v) => formatCount(v ?? 0),
    better: 'down',
  },
  {
    name: 'kpi_firstResponse',
    value: (f) => f.first_response.calendar.median_s,
    shown: formatDuration,
    better: 'down',
    note: (f) => supportNote(f.first_response.support.median_s),
  },
  {
    name: 'kpi_resolution',
    value: (f) => f.resolution.calendar.median_s,
    shown: formatDuration,
    better: 'down',
    note: (f) => supportNote(f.resolution.support.median_s),
  },
  { name: 'kpi_sla', value: (f) => f.sla.met_pct, shown: formatPercent, better: 'up' },
  {
    name: 'kpi_csat',
    value: (f) => f.csat.average,
    shown: (v) => formatDecimal(v, 2),
    better: 'up',
    note: (f) => ta('csatCount', { count: f.csat.count }),
  },
];

/** The arrow and share of a change, coloured better or worse, with words for screen readers. */
function ChangeMark({ change }: Readonly<{ change: Change | null }>) {
  if (!change) return null;
  const arrow = { up: '↑', down: '↓', none: '→', new: '↑' }[change.direction];
  let words: string;
  if (change.direction === 'none') words = ta('changeNone');
  else if (change.direction === 'new') words = ta('changeNew');
  else words = ta(change.direction === 'up' ? 'changeUp' : 'changeDown', { pct: change.pct ?? 0 });
  const tone = change.tone === 'neutral' ? '' : `, ${ta(change.tone)}`;
  let shown = '';
  if (change.pct !== undefined) shown = `${change.pct}\u00a0%`;
  else if (change.direction === 'new') shown = ta('changeNew');
  return (
    <span className={`kpi-change ${change.tone}`} title={ta('vsPrevious')}>
      <span aria-hidden="true">
        {arrow} {shown}
      </span>
      <span className="visually-hidden">
        {ta('vsPrevious')}: {words}
        {tone}
      </span>
    </span>
  );
}

/** The period's key figures, each with its change against the previous period. */
export function KpiCards({ overview }: Readonly<{ overview: StatsOverview }>) {
  return (
    <ul className="kpi-grid" data-testid="kpis">
      {kpis.map((kpi) => {
        const value = kpi.value(overview.current);
        const change = changeOf(value, kpi.value(overview.previous), kpi.better);
        const note = kpi.note?.(overview.current);
        return (
          <li key={kpi.name} className="kpi" data-kpi={kpi.name.slice(4)}>
            <span className="kpi-name">{ta(kpi.name)}</span>
            <span className="kpi-value">{kpi.shown(value, overview.current)}</span>
            <ChangeMark change={change} />
            {note && <span className="kpi-note">{note}</span>}
          </li>
        );
      })}
    </ul>
  );
}
