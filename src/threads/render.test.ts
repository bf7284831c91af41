import { describe, expect, it } from 'vitest';
import { noteOf } from '../bot/features/staff-group/topic-messages.js';
import { homeLanguage } from '../i18n/language.js';
import { changeLine, topicName } from './render.js';
import { staffTextsFor } from './texts.js';

describe('topic names', () => {
  it('are #<number> · <title>', () => {
    expect(topicName({ number: 42, title: 'Printer jams' })).toBe('#42 · Printer jams');
  });

  it('are cut to Telegram’s 128 characters, never inside a character', () => {
    const name = topicName({ number: 7, title: `${'a'.repeat(120)}😀😀😀😀😀` });
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name.endsWith('…')).toBe(true);
    expect(name).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

describe('notes written in a topic', () => {
  it.each([
    ['/note the fan is broken', { content: 'the fan is broken', internal: true }],
    ['/note@ticket_test_bot check it', { content: 'check it', internal: true }],
    ['! order a fan', { content: 'order a fan', internal: true }],
    ['!order a fan', { content: 'order a fan', internal: true }],
    ['We are on it', { content: 'We are on it', internal: false }],
    ['/notes are not notes', { content: '/notes are not notes', internal: false }],
    ['Wow!', { content: 'Wow!', internal: false }],
  ])('reads %j', (text, expected) => {
    expect(noteOf(text)).toEqual(expected);
  });
});

describe('change lines', () => {
  const t = staffTextsFor(homeLanguage);

  it('tell nothing when every field is back where it started', () => {
    const line = changeLine(
      t,
      { status: { from: 'open', to: 'open' }, priority: { from: 'low', to: 'low' } },
      { actor: 'Artem', assignee: null },
    );
    expect(line).toBeUndefined();
  });

  it('escape names and titles', () => {
    const line = changeLine(
      t,
      { title: { from: 'a', to: '<b>x</b> & y' } },
      { actor: 'Al <i>', assignee: null },
    );
    expect(line).toBe('Название: <b>&lt;b&gt;x&lt;/b&gt; &amp; y</b> — от Al &lt;i&gt;');
  });
});
