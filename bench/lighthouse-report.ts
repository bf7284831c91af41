import type { Result } from 'lighthouse';

/** The category scores `npm run bench:web` reports, 0–100. */
export interface Scores {
  performance: number;
  accessibility: number;
}

/** A Lighthouse run whose figures cannot be trusted: the bench stops with this message. */
export class LighthouseFailed extends Error {}

/**
 * The performance and accessibility scores of a report. Lighthouse still hands back a report when
 * its trace failed (the page never painted, Chromium crashed), with a `runtimeError` and null
 * scores; read as 0 they would pass for a measurement, so such a report is refused.
 */
export function scoresOf(lhr: Pick<Result, 'runtimeError' | 'categories'>): Scores {
  if (lhr.runtimeError) {
    const { code, message } = lhr.runtimeError;
    throw new LighthouseFailed(`Lighthouse could not measure the page: ${code}: ${message}`);
  }
  const score = (id: keyof Scores): number => {
    const value = lhr.categories[id]?.score;
    if (typeof value !== 'number') throw new LighthouseFailed(`Lighthouse gave no ${id} score`);
    return Math.round(value * 100);
  };
  return { performance: score('performance'), accessibility: score('accessibility') };
}
