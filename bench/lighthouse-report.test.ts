import { describe, expect, it } from 'vitest';
import { LighthouseFailed, scoresOf } from './lighthouse-report.js';

const category = (id: string, score: number | null) => ({ id, title: id, score, auditRefs: [] });

describe('scoresOf (npm run bench:web)', () => {
  it('reads the performance and accessibility scores as 0–100', () => {
    const report = {
      categories: {
        performance: category('performance', 0.974),
        accessibility: category('accessibility', 1),
      },
    };
    expect(scoresOf(report)).toEqual({ performance: 97, accessibility: 100 });
  });

  it('refuses a run whose trace failed instead of reporting a score of 0', () => {
    // What Lighthouse hands back when the page never paints: a runtime error and null scores.
    const report = {
      runtimeError: { code: 'NO_FCP', message: 'The page did not paint any content.' },
      categories: {
        performance: category('performance', null),
        accessibility: category('accessibility', 1),
      },
    };
    expect(() => scoresOf(report)).toThrow(LighthouseFailed);
    expect(() => scoresOf(report)).toThrow(/NO_FCP: The page did not paint any content/);
  });

  it('refuses a report that lacks a score', () => {
    const report = { categories: { accessibility: category('accessibility', 0.9) } };
    expect(() => scoresOf(report)).toThrow(/no performance score/);
  });
});
