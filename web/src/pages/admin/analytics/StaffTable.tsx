import { useState } from 'react';
import type { StaffRow } from '../../../api/stats-types';
import { currentLanguage } from '../../../i18n';
import { ta } from '../../../i18n/analytics';
import { formatCount, formatDecimal, formatDuration, formatPercent } from './format';

/** The sortable columns, in the order the table shows them. */
const columns = [
  'assigned',
  'resolved',
  'first_response_median_s',
  'resolution_median_s',
  'sla_met_pct',
  'csat_average',
  'messages',
] as const;

const marks = { descending: '▼', ascending: '▲' } as const;

type Column = 'name' | (typeof columns)[number];

/** A cell's text. */
function cell(row: StaffRow, column: (typeof columns)[number]): string {
  switch (column) {
    case 'first_response_median_s':
    case 'resolution_median_s':
      return formatDuration(row[column]);
    case 'sla_met_pct':
      return formatPercent(row.sla_met_pct);
    case 'csat_average':
      return formatDecimal(row.csat_average, 2);
    default:
      return formatCount(row[column]);
  }
}

/** Rows in the order of `column`; a missing figure (no answers yet) always goes last. */
function sorted(rows: StaffRow[], column: Column, descending: boolean): StaffRow[] {
  const sign = descending ? -1 : 1;
  return rows.toSorted((a, b) => {
    if (column === 'name') return sign * a.name.localeCompare(b.name, currentLanguage());
    const left = a[column];
    const right = b[column];
    if (left === null || right === null) return (left === null ? 1 : 0) - (right === null ? 1 : 0);
    return sign * (left - right) || a.name.localeCompare(b.name, currentLanguage());
  });
}

/**
 * Staff efficiency over the period, sorted by any column with a tap on its header (again: the
 * other way). Each person takes two rows, the name above the seven figures, so the table fits a
 * phone's width without scrolling sideways.
 */
export function StaffTable({ rows }: Readonly<{ rows: StaffRow[] }>) {
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({
    column: 'resolved',
    descending: true,
  });
  const choose = (column: Column) =>
    setSort(
      sort.column === column
        ? { column, descending: !sort.descending }
        : { column, descending: column !== 'name' },
    );
  const direction = sort.descending ? 'descending' : 'ascending';
  const ariaSort = (column: Column) => (sort.column === column ? direction : 'none');
  const header = (column: Column, colSpan?: number) => (
    <th key={column} scope="col" colSpan={colSpan} aria-sort={ariaSort(column)}>
      <button type="button" className="sort-button" onClick={() => choose(column)}>
        <span className="sort-label">{ta(`col_${column}`)}</span>{' '}
        <span aria-hidden="true" className="sort-mark">
          {sort.column === column ? marks[direction] : ''}
        </span>
      </button>
    </th>
  );
  return (
    <section className="chart-card staff-card" aria-label={ta('staff')}>
      <div className="chart-head">
        <h2 className="chart-title">{ta('staff')}</h2>
      </div>
      {rows.length === 0 ? (
        <p className="hint chart-empty">{ta('noStaff')}</p>
      ) : (
        <table className="staff-table" aria-label={ta('staffLabel')} data-testid="staff-table">
          <thead>
            <tr>{header('name', columns.length)}</tr>
            <tr>{columns.map((column) => header(column))}</tr>
          </thead>
          {sorted(rows, sort.column, sort.descending).map((row) => (
            <tbody key={row.user_id}>
              <tr>
                <th scope="rowgroup" colSpan={columns.length} className="staff-name">
                  {row.name}
                </th>
              </tr>
              <tr>
                {columns.map((column) => (
                  <td key={column}>{cell(row, column)}</td>
                ))}
              </tr>
            </tbody>
          ))}
        </table>
      )}
    </section>
  );
}
