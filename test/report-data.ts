import type { Language } from '../src/i18n/language.js';
import type { Figures, ReportData } from '../src/reports/report-data.js';

const zone = 'Europe/Moscow';
const from = '2026-11-29T21:00:00.000Z';
const to = '2026-12-06T21:00:00.000Z';

function figures(scale: number): Figures {
  return {
    created: 40 * scale,
    resolved: 35 * scale,
    closed: 30 * scale,
    reopened: 2 * scale,
    backlog: 12,
    first_response: {
      count: 38 * scale,
      calendar: { median_s: 5400, p90_s: 28_800 },
      support: { median_s: 1800 * scale, p90_s: 9000 },
    },
    resolution: {
      count: 35 * scale,
      calendar: { median_s: 86_400, p90_s: 259_200 },
      support: { median_s: 14_400, p90_s: 57_600 },
    },
    sla: { met: 60 * scale, breached: 5, met_pct: 92.3 },
    csat: { average: 4.37, count: 19 * scale },
  };
}

/**
 * A week of figures on Moscow's clock (30.11.2026 – 06.12.2026), shaped as the stats service
 * answers, with Cyrillic category names: what the PDF and spreadsheet tests render.
 */
export function sampleReportData(language: Language): ReportData {
  const base = { from, to, time_zone: zone };
  const days = Array.from({ length: 7 }, (_, index) => ({
    start: new Date(Date.parse(from) + index * 86_400_000).toISOString(),
    created: [5, 9, 7, 6, 8, 2, 3][index] ?? 0,
    resolved: [3, 7, 8, 5, 7, 3, 2][index] ?? 0,
    backlog: 10 + index,
  }));
  return {
    language,
    generatedAt: new Date('2026-12-07T06:30:00.000Z'),
    filters: {},
    overview: {
      ...base,
      current: figures(1),
      previous: {
        ...figures(2),
        from: '2026-11-22T21:00:00.000Z',
        to: from,
      },
    },
    timeseries: { ...base, bucket: 'day', points: days },
    byCategory: {
      ...base,
      by: 'category',
      rows: [
        {
          key: '0b6f0a36-0000-4000-8000-000000000001',
          label: language === 'ru' ? 'Оплата' : 'Payments',
          created: 18,
          resolved: 15,
          backlog: 5,
          first_response_median_s: 1500,
          resolution_median_s: 12_000,
        },
        {
          key: '0b6f0a36-0000-4000-8000-000000000002',
          label: language === 'ru' ? 'Доставка' : 'Delivery',
          created: 14,
          resolved: 12,
          backlog: 4,
          first_response_median_s: 2400,
          resolution_median_s: null,
        },
        {
          key: '0b6f0a36-0000-4000-8000-000000000003',
          label: language === 'ru' ? 'Технические вопросы' : 'Technical questions',
          created: 8,
          resolved: 8,
          backlog: 3,
          first_response_median_s: 600,
          resolution_median_s: 7200,
        },
      ],
    },
    byPriority: {
      ...base,
      by: 'priority',
      rows: (['low', 'normal', 'high', 'critical'] as const).map((key, index) => ({
        key,
        label: key,
        created: [6, 24, 8, 2][index] ?? 0,
        resolved: [5, 20, 8, 2][index] ?? 0,
        backlog: [1, 8, 2, 1][index] ?? 0,
        first_response_median_s: 1200 * (index + 1),
        resolution_median_s: 3600 * (4 - index),
      })),
    },
    heatmap: {
      ...base,
      cells: Array.from({ length: 168 }, (_, index) => {
        const weekday = Math.floor(index / 24) + 1;
        const hour = index % 24;
        const working = weekday <= 5 && hour >= 9 && hour < 18;
        const late = hour === 22 ? 1 : 0;
        return { weekday, hour, count: working ? ((weekday * 7 + hour * 3) % 5) + 1 : late };
      }),
    },
    staff: {
      ...base,
      rows: [
        {
          user_id: '1a2b3c4d-0000-4000-8000-000000000001',
          name: 'Анна Смирнова',
          assigned: 21,
          resolved: 19,
          first_response_median_s: 1300,
          resolution_median_s: 10_800,
          sla_met_pct: 95,
          csat_average: 4.6,
          csat_count: 11,
          messages: 87,
        },
        {
          user_id: '1a2b3c4d-0000-4000-8000-000000000002',
          name: 'Bob Stone',
          assigned: 15,
          resolved: 12,
          first_response_median_s: null,
          resolution_median_s: null,
          sla_met_pct: null,
          csat_average: null,
          csat_count: 0,
          messages: 0,
        },
      ],
    },
  };
}
