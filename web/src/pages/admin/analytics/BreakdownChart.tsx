import uPlot from 'uplot';
import type { StatsBreakdown } from '../../../api/stats-types';
import { currentLanguage } from '../../../i18n';
import { ta } from '../../../i18n/analytics';
import { chartColours, useDark } from './chart-colours';
import { ChartFigure, Legend } from './ChartFigure';
import { formatCount, formatDuration } from './format';
import { useUplot } from './use-uplot';

/** Longest group name drawn beside a bar; the table has it whole. */
const LABEL_CHARS = 16;

function shortLabel(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

/**
 * Horizontal bars (groups down the side, so long category names keep their room on a phone) of
 * tickets created and resolved per group, with the table of every figure of the breakdown.
 */
export function BreakdownChart({
  breakdown,
  title,
  labelOf,
}: Readonly<{
  breakdown: StatsBreakdown;
  title: string;
  /** The group's name as the page shows it (priorities in the user's words). */
  labelOf: (row: StatsBreakdown['rows'][number]) => string;
}>) {
  const dark = useDark();
  const rows = breakdown.rows;
  const labels = rows.map(labelOf);
  const data: uPlot.AlignedData = [
    rows.map((_row, index) => index),
    rows.map((row) => row.created),
    rows.map((row) => row.resolved),
  ];
  const ref = useUplot(
    (width, element) => {
      const colours = chartColours(element);
      const font = '12px system-ui, sans-serif';
      const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.38, 28], align, gap: 1 });
      return {
        width,
        height: Math.max(88, rows.length * 40 + 28),
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, ori: 1, dir: -1, range: [-0.5, rows.length - 0.5] },
          y: { ori: 0, range: (_u, _min, max) => [0, Math.max(4, max)] },
        },
        axes: [
          {
            side: 3,
            stroke: colours.text,
            font,
            size: 112,
            gap: 6,
            ticks: { show: false },
            grid: { show: false },
            splits: () => rows.map((_row, index) => index),
            values: (_u, splits) => splits.map((index) => shortLabel(labels[index] ?? '')),
          },
          {
            side: 2,
            size: 28,
            stroke: colours.hint,
            font: '11px system-ui, sans-serif',
            ticks: { show: false },
            grid: { stroke: colours.grid, width: 1 },
            values: (_u, splits) =>
              splits.map((value) => (Number.isInteger(value) ? formatCount(value) : '')),
          },
        ],
        series: [
          {},
          {
            label: ta('series_created'),
            fill: colours.created,
            stroke: colours.created,
            width: 0,
            paths: bars(-1),
            points: { show: false },
          },
          {
            label: ta('series_resolved'),
            fill: colours.resolved,
            stroke: colours.resolved,
            width: 0,
            paths: bars(1),
            points: { show: false },
          },
        ],
      };
    },
    data,
    [breakdown, dark, currentLanguage()],
  );
  const probe = typeof document === 'undefined' ? undefined : document.querySelector('.app');
  const colours = probe ? chartColours(probe) : undefined;
  const label = ta('barsLabel', {
    by: ta(`by_${breakdown.by === 'priority' ? 'priority' : 'category'}`),
  });
  return (
    <ChartFigure
      title={title}
      label={label}
      legend={
        colours &&
        rows.length > 0 && (
          <Legend
            items={[
              { name: ta('series_created'), colour: colours.created },
              { name: ta('series_resolved'), colour: colours.resolved },
            ]}
          />
        )
      }
      table={
        <table data-testid={`breakdown-${breakdown.by}-table`} className="breakdown-table">
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">{ta('group')}</th>
              <th scope="col">
                <span className="upright-header">{ta('series_created')}</span>
              </th>
              <th scope="col">
                <span className="upright-header">{ta('series_resolved')}</span>
              </th>
              <th scope="col">
                <span className="upright-header">{ta('series_backlog')}</span>
              </th>
              <th scope="col">
                <span className="upright-header">{ta('col_first_response_median_s')}</span>
              </th>
              <th scope="col">
                <span className="upright-header">{ta('col_resolution_median_s')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={row.key}>
                <th scope="row">{labels[index]}</th>
                <td>{formatCount(row.created)}</td>
                <td>{formatCount(row.resolved)}</td>
                <td>{formatCount(row.backlog)}</td>
                <td>{formatDuration(row.first_response_median_s)}</td>
                <td>{formatDuration(row.resolution_median_s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {rows.length === 0 ? (
        <p className="hint chart-empty">{ta('nothing')}</p>
      ) : (
        <div ref={ref} className="chart-canvas" aria-hidden="true" />
      )}
    </ChartFigure>
  );
}
