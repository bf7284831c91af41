import { useState } from 'react';
import { ta } from '../../../i18n/analytics';

/**
 * A chart with its title, its aria-label, and its numbers as a table: visually hidden (for
 * screen readers) until "Show as table" shows it to everyone.
 */
export function ChartFigure({
  title,
  label,
  legend,
  table,
  children,
}: Readonly<{
  title: string;
  label: string;
  legend?: React.ReactNode;
  table: React.ReactNode;
  children: React.ReactNode;
}>) {
  const [shown, setShown] = useState(false);
  return (
    <section className="chart-card" aria-label={title}>
      <div className="chart-head">
        <h2 className="chart-title">{title}</h2>
        <button
          type="button"
          className="text-button chart-toggle"
          aria-expanded={shown}
          onClick={() => setShown(!shown)}
        >
          {shown ? ta('hideTable') : ta('showTable')}
        </button>
      </div>
      {legend}
      <figure className="chart" role="img" aria-label={label}>
        {children}
      </figure>
      <div className={shown ? 'chart-table' : 'chart-table visually-hidden'}>{table}</div>
    </section>
  );
}

/** The colour key of a chart's series. */
export function Legend({ items }: Readonly<{ items: { name: string; colour: string }[] }>) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {items.map((item) => (
        <li key={item.name}>
          <span className="swatch" style={{ background: item.colour }} />
          {item.name}
        </li>
      ))}
    </ul>
  );
}
