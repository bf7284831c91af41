import uPlot from 'uplot';
import type { StatsTimeseries } from '../../../api/stats-types';
import { currentLanguage } from '../../../i18n';
import { ta } from '../../../i18n/analytics';
import { chartColours, useDark } from './chart-colours';
import { ChartFigure, Legend } from './ChartFigure';
import { formatCount } from './format';
import { useUplot } from './use-uplot';

/** A bucket's start on the support clock: `14:00`, `3 Dec`, or the week's Monday. */
function bucketLabel(iso: string, bucket: StatsTimeseries['bucket'], timeZone: string): string {
  const options: Intl.DateTimeFormatOptions =
    bucket === 'hour'
      ? { hour: '2-digit', minute: '2-digit', timeZone }
      : { day: 'numeric', month: 'short', timeZone };
  return new Date(iso).toLocaleString(currentLanguage(), options);
}

/** The uPlot line chart of the series, drawn on the support clock in the theme's colours. */
function useUplotLine(
  data: uPlot.AlignedData,
  timeZone: string,
  bucket: StatsTimeseries['bucket'],
  dark: boolean,
  answer: StatsTimeseries,
) {
  return useUplot(
    (width, element) => {
      const colours = chartColours(element);
      const axis: uPlot.Axis = {
        stroke: colours.hint,
        grid: { stroke: colours.grid, width: 1 },
        ticks: { show: false },
        font: '11px system-ui, sans-serif',
      };
      return {
        width,
        height: 200,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
        axes: [
          {
            ...axis,
            size: 32,
            space: bucket === 'hour' ? 48 : 56,
            values: (_u, splits) =>
              splits.map((seconds) =>
                bucketLabel(new Date(seconds * 1000).toISOString(), bucket, timeZone),
              ),
          },
          {
            ...axis,
            size: 36,
            values: (_u, splits) =>
              splits.map((value) => (Number.isInteger(value) ? formatCount(value) : '')),
          },
        ],
        series: [
          {},
          {
            label: ta('series_created'),
            stroke: colours.created,
            width: 2,
            points: { show: answer.points.length < 40 },
          },
          {
            label: ta('series_resolved'),
            stroke: colours.resolved,
            width: 2,
            dash: [6, 3],
            points: { show: answer.points.length < 40 },
          },
        ],
      };
    },
    data,
    [answer, dark, currentLanguage()],
  );
}

/** The line chart of tickets created and resolved per bucket, with its table. */
export function TimeseriesChart({ series }: Readonly<{ series: StatsTimeseries }>) {
  const dark = useDark();
  const { points, bucket, time_zone: timeZone } = series;
  const xs = points.map((point) => Date.parse(point.start) / 1000);
  const data: uPlot.AlignedData = [
    xs,
    points.map((point) => point.created),
    points.map((point) => point.resolved),
  ];
  const ref = useUplotLine(data, timeZone, bucket, dark, series);
  const probe = typeof document === 'undefined' ? undefined : document.querySelector('.app');
  const colours = probe ? chartColours(probe) : undefined;
  const label = ta('createdVsResolvedLabel', { bucket: ta(`bucket_${bucket}`) });
  return (
    <ChartFigure
      title={ta('createdVsResolved')}
      label={label}
      legend={
        colours && (
          <Legend
            items={[
              { name: ta('series_created'), colour: colours.created },
              { name: ta('series_resolved'), colour: colours.resolved },
            ]}
          />
        )
      }
      table={
        <table data-testid="timeseries-table">
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">{ta('start')}</th>
              <th scope="col">{ta('series_created')}</th>
              <th scope="col">{ta('series_resolved')}</th>
              <th scope="col">{ta('series_backlog')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((point) => (
              <tr key={point.start}>
                <th scope="row">{bucketLabel(point.start, bucket, timeZone)}</th>
                <td>{formatCount(point.created)}</td>
                <td>{formatCount(point.resolved)}</td>
                <td>{formatCount(point.backlog)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div ref={ref} className="chart-canvas" aria-hidden="true" />
    </ChartFigure>
  );
}
