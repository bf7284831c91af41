import type { StatsHeatmap } from '../../../api/stats-types';
import { currentLanguage } from '../../../i18n';
import { ta } from '../../../i18n/analytics';
import { ChartFigure } from './ChartFigure';
import { formatCount } from './format';

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const hours = Array.from({ length: 24 }, (_value, hour) => hour);

/** A weekday's name (1 = Monday) in the user's language: 5 January 2026 was a Monday. */
function weekdayName(weekday: number, style: 'short' | 'long'): string {
  return new Date(Date.UTC(2026, 0, 4 + weekday)).toLocaleDateString(currentLanguage(), {
    weekday: style,
    timeZone: 'UTC',
  });
}

/**
 * Tickets created by weekday × hour on the support clock: a grid of 168 cells shaded by count.
 * Drawn as HTML rather than with the chart library: uPlot has no heat map series, and a grid of
 * coloured cells needs no scales or canvas.
 */
export function Heatmap({ heatmap }: Readonly<{ heatmap: StatsHeatmap }>) {
  const counts = new Map(heatmap.cells.map((cell) => [`${cell.weekday}:${cell.hour}`, cell.count]));
  const countAt = (weekday: number, hour: number) => counts.get(`${weekday}:${hour}`) ?? 0;
  const max = Math.max(0, ...heatmap.cells.map((cell) => cell.count));
  const shade = (count: number) =>
    count === 0 ? 0 : Math.round(18 + (82 * count) / Math.max(1, max));
  return (
    <ChartFigure
      title={ta('heatmap')}
      label={ta('heatmapLabel')}
      table={
        <table data-testid="heatmap-table" className="heatmap-table">
          <caption>{ta('heatmapLabel')}</caption>
          <thead>
            <tr>
              <th scope="col">{ta('hour')}</th>
              {weekdays.map((weekday) => (
                <th key={weekday} scope="col">
                  {weekdayName(weekday, 'short')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {hours.map((hour) => (
              <tr key={hour}>
                <th scope="row">{`${String(hour).padStart(2, '0')}:00`}</th>
                {weekdays.map((weekday) => (
                  <td key={weekday}>{formatCount(countAt(weekday, hour))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div className="heatmap" aria-hidden="true">
        {weekdays.map((weekday) => (
          <div key={weekday} className="heatmap-row">
            <span className="heatmap-day">{weekdayName(weekday, 'short')}</span>
            {hours.map((hour) => {
              const count = countAt(weekday, hour);
              return (
                <span
                  key={hour}
                  className="heatmap-cell"
                  title={ta('heatmapCell', {
                    weekday: weekdayName(weekday, 'long'),
                    hour,
                    count,
                  })}
                  style={{ '--shade': `${shade(count)}%` } as React.CSSProperties}
                />
              );
            })}
          </div>
        ))}
        <div className="heatmap-row heatmap-hours">
          <span className="heatmap-day" />
          {hours.map((hour) => (
            <span key={hour} className="heatmap-hour">
              {hour % 6 === 0 ? hour : ''}
            </span>
          ))}
        </div>
        <div className="heatmap-key">
          <span>{ta('fewer')}</span>
          {[0, 25, 50, 75, 100].map((share) => (
            <span
              key={share}
              className="heatmap-cell"
              style={
                {
                  '--shade': `${share === 0 ? 0 : 18 + (82 * share) / 100}%`,
                } as React.CSSProperties
              }
            />
          ))}
          <span>{ta('more')}</span>
        </div>
      </div>
    </ChartFigure>
  );
}
