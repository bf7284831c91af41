import { describe, expect, it } from 'vitest';
import { languages } from '../../i18n/language.js';
import type { SetupState } from '../../setup/checklist.js';
import { textsFor } from './index.js';

const fresh: SetupState = {
  categories: { done: true, active: [{ icon: '💬', name: 'General' }], inactive: 0 },
  staff: { done: false, count: 0 },
  miniApp: { done: false, url: undefined },
  alerts: { done: true, staff: 1, reachable: 1, blocked: 0, muted: 0 },
};

/** Each paragraph's mark (✅, ❌, or the heading and footer's first character). */
function marks(text: string): string[] {
  return text.split('\n\n').map((paragraph) => [...paragraph][0]!);
}

describe('the setup checklist’s texts', () => {
  it('have the same items, marked the same, in Russian and English', () => {
    const states: SetupState[] = [
      fresh,
      { ...fresh, categories: { done: false, active: [], inactive: 2 } },
      { ...fresh, alerts: { done: false, staff: 2, reachable: 0, blocked: 1, muted: 1 } },
      { ...fresh, alerts: { done: false, staff: 0, reachable: 0, blocked: 0, muted: 0 } },
      {
        ...fresh,
        staff: { done: true, count: 3 },
        miniApp: { done: true, url: 'https://a.test/' },
      },
    ];
    for (const state of states) {
      const [ru, en] = languages.map((language) => textsFor(language).setup.checklist(state));
      expect(marks(ru!)).toEqual(marks(en!));
    }
  });

  it('names an address that is not https as the problem, escaped', () => {
    const state = { ...fresh, miniApp: { done: false, url: 'http://a.test/?a=1&b=<2>' } };
    expect(textsFor('en').setup.checklist(state)).toContain(
      '❌ <b>Mini App</b>: http://a.test/?a=1&amp;b=&lt;2&gt; is not https, and Telegram opens ' +
        'Mini Apps only over https.',
    );
    expect(textsFor('ru').setup.checklist(state)).toContain(
      '❌ <b>Mini App</b>: http://a.test/?a=1&amp;b=&lt;2&gt; — не https',
    );
  });

  it('shortens a long list of categories', () => {
    const active = Array.from({ length: 7 }, (_, i) => ({ icon: '', name: `C${i + 1}` }));
    const text = textsFor('en').setup.checklist({
      ...fresh,
      categories: { done: true, active, inactive: 0 },
    });
    expect(text).toContain('✅ <b>Categories</b>: 7 active — C1, C2, C3, C4, C5 and 2 more.');
  });

  it('counts staff in Russian with the right word form', () => {
    const of = (n: number) =>
      textsFor('ru').setup.checklist({
        ...fresh,
        alerts: { done: true, staff: n, reachable: 1, blocked: 0, muted: 0 },
      });
    expect(of(1)).toContain('получат 1 из 1 сотрудника.');
    expect(of(11)).toContain('получат 1 из 11 сотрудников.');
    expect(of(21)).toContain('получат 1 из 21 сотрудника.');
    expect(of(5)).toContain('получат 1 из 5 сотрудников.');
  });
});
