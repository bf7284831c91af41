import type { TestApp } from './app.js';

/** The Prometheus text `GET /metrics` serves. */
export async function scrape(t: TestApp): Promise<string> {
  const response = await t.app.inject({ method: 'GET', url: '/metrics' });
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`);
  return response.body;
}

/**
 * The value of one series in Prometheus text, written as it appears there (`name` or
 * `name{label="value"}`); undefined when the series is absent.
 */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
