import { describe, expect, it } from 'vitest';
import { excerpt, textsFor } from './texts.js';

describe('notification texts', () => {
  it('speaks Russian to ru* users and those without a language, English to everyone else', () => {
    expect(textsFor('ru').ticket_created(5)).toBe('Новое обращение #5');
    expect(textsFor('ru-RU').open_button).toBe('Открыть обращение');
    expect(textsFor('de').ticket_created(5)).toBe('New ticket #5');
    expect(textsFor('de').reminder_content('X', 24)).toContain('24 h');
    expect(textsFor(null).reminder_content('X', 24)).toContain('24 ч');
  });

  it('names the new status after the title, in lower case', () => {
    expect(textsFor('ru').status_content('Принтер', 'waiting')).toBe(
      '«Принтер»: ждёт ответа клиента',
    );
    expect(textsFor('en').status_content('Printer', 'in_progress')).toBe('«Printer»: in progress');
  });

  it('counts new messages with the plural each language wants', () => {
    expect(textsFor('en').new_messages(1, 12)).toBe('New message in ticket #12');
    expect(textsFor('en').new_messages(3, 12)).toBe('3 new messages in ticket #12');
    const ru = textsFor('ru');
    expect(ru.new_messages(1, 12)).toBe('Новое сообщение в обращении #12');
    expect(ru.new_messages(3, 12)).toBe('3 новых сообщения в обращении #12');
    expect(ru.new_messages(5, 12)).toBe('5 новых сообщений в обращении #12');
    expect(ru.new_messages(21, 12)).toBe('21 новое сообщение в обращении #12');
  });

  it('cuts long text, marking the cut', () => {
    expect(excerpt('short')).toBe('short');
    const cut = excerpt('a'.repeat(400));
    expect(cut).toHaveLength(300);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('every notification text', () => {
  it('names the ticket in both languages', () => {
    for (const language of ['en', 'ru']) {
      const t = textsFor(language);
      for (const text of [
        t.ticket_created(9),
        t.ticket_assigned(9),
        t.new_message(9),
        t.new_messages(2, 9),
        t.internal_note(9),
        t.status_changed(9),
        t.reminder(9),
      ]) {
        expect(text, language).toContain('#9');
      }
      expect(t.status_content('Printer', 'waiting')).toContain('Printer');
    }
  });

  it('names an SLA due time on the support team’s clock, with its zone', () => {
    const due = new Date('2026-03-02T10:10:00Z');
    expect(textsFor('en').sla_warning_content('Printer', due, 'UTC')).toBe(
      '«Printer» is due by 02.03 10:10 UTC.',
    );
    expect(textsFor('en').sla_breached_content('Printer', due, 'Europe/Moscow')).toBe(
      '«Printer» was due by 02.03 13:10 Europe/Moscow.',
    );
    // Past midnight there: the day is the local one.
    expect(textsFor('ru').sla_warning_content('Принтер', due, 'Pacific/Auckland')).toBe(
      '«Принтер»: срок — 02.03 23:10 Pacific/Auckland.',
    );
  });
});
